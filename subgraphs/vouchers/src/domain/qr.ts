/**
 * The QR payload: a compact JWS (ES256) over the voucher's public facts and its secret, so a
 * merchant's device can check authenticity offline with the published public key, and the server
 * refuses any forged or altered code.
 */
import { createPrivateKey, randomUUID, sign as cryptoSign, type JsonWebKey, type KeyObject } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { SigningKey } from "../entities/signing-key.entity";

export interface QrClaims {
  /** serial number */
  sn: string;
  /** the 18-digit secret */
  vn: string;
  /** value and currency, or null for a basket */
  v: string | null;
  c: string | null;
  /** expiry (epoch seconds) when known at issuance */
  exp?: number;
}

const ALG = "ES256";
const ISSUER = "g2p-graph/vouchers";

/** The signing key, created once and kept in this block's database. */
export async function signingKey(em: EntityManager): Promise<SigningKey> {
  const [existing] = await em.find(SigningKey, {}, { orderBy: { createdAt: "desc" }, limit: 1 });
  if (existing) return existing;
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const kid = randomUUID();
  const key = em.create(SigningKey, {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALG },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALG, use: "sig" },
  });
  await em.persistAndFlush(key);
  return key;
}

const privateKeys = new WeakMap<SigningKey, { header: string; key: KeyObject }>();

function signerOf(key: SigningKey): { header: string; key: KeyObject } {
  let cached = privateKeys.get(key);
  if (!cached) {
    cached = {
      key: createPrivateKey({ key: key.privateJwk as unknown as JsonWebKey, format: "jwk" }),
      header: Buffer.from(JSON.stringify({ alg: ALG, kid: key.kid, typ: "g2p-voucher+jwt" })).toString("base64url"),
    };
    privateKeys.set(key, cached);
  }
  return cached;
}

function claimsBody(claims: QrClaims, nowSeconds: number): Record<string, unknown> {
  const body: Record<string, unknown> = { sn: claims.sn, vn: claims.vn, v: claims.v, c: claims.c, iss: ISSUER, iat: nowSeconds };
  if (claims.exp) body.exp = claims.exp;
  return body;
}

/**
 * Signs a QR payload. A compact JWS (ES256, RFC 7515/7518) built with node:crypto directly: about
 * three times faster than jose's signer on one core (what bulk issuance of a million vouchers needs),
 * and byte-for-byte the format jose verifies (IEEE P1363 r||s signature, base64url parts).
 */
export function signQrSync(key: SigningKey, claims: QrClaims, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const { header, key: privateKey } = signerOf(key);
  const input = `${header}.${Buffer.from(JSON.stringify(claimsBody(claims, nowSeconds))).toString("base64url")}`;
  const signature = cryptoSign("sha256", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" });
  return `${input}.${signature.toString("base64url")}`;
}

/**
 * The same JWS, signed on libuv's thread pool (node:crypto's callback form), so a bulk chunk's
 * signatures use every core while the event loop keeps serving requests.
 */
export function signQr(key: SigningKey, claims: QrClaims, nowSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
  const { header, key: privateKey } = signerOf(key);
  const input = `${header}.${Buffer.from(JSON.stringify(claimsBody(claims, nowSeconds))).toString("base64url")}`;
  return new Promise((resolve, reject) =>
    cryptoSign("sha256", Buffer.from(input), { key: privateKey, dsaEncoding: "ieee-p1363" }, (err, signature) =>
      err ? reject(err) : resolve(`${input}.${signature.toString("base64url")}`),
    ),
  );
}

/** The claims of a QR code signed by one of our keys, or null when forged, altered or malformed. */
export async function verifyQr(em: EntityManager, token: string): Promise<QrClaims | null> {
  try {
    const header = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")) as { kid?: string; alg?: string };
    if (header.alg !== ALG || typeof header.kid !== "string") return null;
    const key = await em.findOne(SigningKey, { kid: header.kid });
    if (!key) return null;
    const { payload } = await compactVerify(token, await importJWK(key.publicJwk as unknown as JWK, ALG));
    const claims = JSON.parse(new TextDecoder().decode(payload)) as QrClaims & { iss?: string };
    if (claims.iss !== ISSUER || typeof claims.sn !== "string" || typeof claims.vn !== "string") return null;
    return claims;
  } catch {
    return null;
  }
}

export async function publicJwks(em: EntityManager): Promise<{ keys: Record<string, unknown>[] }> {
  const keys = await em.find(SigningKey, {}, { orderBy: { createdAt: "asc" } });
  if (keys.length === 0) await signingKey(em);
  return { keys: (await em.find(SigningKey, {}, { orderBy: { createdAt: "asc" } })).map((k) => k.publicJwk) };
}
