/**
 * The identity block's cryptography, all on node:crypto:
 * - lookup hashes: HMAC-SHA256 with a pepper (ids, OTPs, keys are found by hash, never stored raw);
 * - sealing: AES-256-GCM with a random 96-bit nonce (raw UIN/VID for allowed roles, demographics);
 * - tokens: MOSIP's TokenIDGenerator derivation (36 decimal digits).
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";

export class IdCrypto {
  /** Per-partner code salts, derived once (MOSIP keeps them in a table). */
  private readonly codeSalts = new Map<string, string>();

  constructor(
    private readonly dataKey: Buffer,
    private readonly pepper: Buffer,
    private readonly tokenSalt: Buffer,
  ) {}

  /** Lookup hash, domain-separated by kind (UIN, VID, OTP, APIKEY, ...). */
  hash(kind: string, value: string): string {
    return createHmac("sha256", this.pepper).update(`${kind}:${value}`).digest("hex");
  }

  /** Constant-time comparison of two hex hashes. */
  sameHash(a: string, b: string): boolean {
    const x = Buffer.from(a, "hex");
    const y = Buffer.from(b, "hex");
    return x.length === y.length && timingSafeEqual(x, y);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.dataKey, iv);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
  }

  open(sealed: string): string {
    if (!sealed.startsWith("v1.")) throw new Error("unknown sealed format");
    const raw = Buffer.from(sealed.slice(3), "base64");
    const decipher = createDecipheriv("aes-256-gcm", this.dataKey, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  }

  /**
   * MOSIP TokenIDGenerator: SHA-256 hex of (UIN salt + id), then SHA-256 hex of (partner-code salt +
   * partner code + that hash); the hex string's bytes read as a big integer, first 36 decimal digits.
   */
  token(input: string, code: string): string {
    const inputHash = createHash("sha256").update(this.tokenSalt).update(input).digest("hex");
    let codeSalt = this.codeSalts.get(code);
    if (!codeSalt) {
      codeSalt = createHmac("sha256", this.tokenSalt).update(`code-salt:${code}`).digest("hex");
      if (this.codeSalts.size > 10_000) this.codeSalts.clear();
      this.codeSalts.set(code, codeSalt);
    }
    const hex = createHash("sha256").update(codeSalt).update(code).update(inputHash).digest("hex");
    return BigInt(`0x${Buffer.from(hex, "utf8").toString("hex")}`).toString().slice(0, 36);
  }

  /** The person token IDA keys by: Token(UIN, online-verification partner). */
  personToken(uin: string): string {
    return this.token(uin, ONLINE_VERIFICATION_PARTNER);
  }
}

/** The code of our own online-verification partner (the IDA "input token" partner). */
export const ONLINE_VERIFICATION_PARTNER = "g2p-ida";
/** The partner code the rest of the graph is given when a caller has no partner_id (registry staff). */
export const INTERNAL_PARTNER = "g2p-registry";

/** 36 random digits: the `random` token type, unlinkable across transactions. */
export function randomToken(): string {
  let s = "";
  while (s.length < 36) s += randomInt(0, 1_000_000_000).toString().padStart(9, "0");
  return s.slice(0, 36);
}

/** A random secret shown once (API key, licence key, kycToken). */
export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString("base64url");
}
