/**
 * Identity's own settings, read once from the environment. Secrets have development defaults so
 * `npm start` works on a fresh clone; in production every secret must be set (start-up fails otherwise).
 */
export interface IdentityConfig {
  /** 32 bytes (hex or base64): AES-256-GCM key for raw ids, demographics and outbox messages. */
  dataKey: Buffer;
  /** HMAC key for lookup hashes of UIN / VID / OTP / API keys. */
  hashPepper: Buffer;
  /** MOSIP's UIN salt and the master secret partner-code salts are derived from (PSUT). */
  tokenSalt: Buffer;
  /** Where the notification outbox sends SMS (our simulator in tests). Unset: messages stay queued. */
  smsGatewayUrl: string | null;
  otpTtlSeconds: number;
  otpMaxFailures: number;
  otpFreezeSeconds: number;
  /** OTP requests allowed per individual per minute (IDA-OTA-001 beyond). */
  otpFloodLimit: number;
  requestTimeWindowSeconds: number;
  kycTokenTtlSeconds: number;
  /** Cosine similarity at or above which two templates are the same person. */
  dedupMatchThreshold: number;
  /** Between this and the match threshold a candidate goes to manual adjudication. */
  dedupReviewThreshold: number;
  /** Seconds a partner (and its policy) is cached in memory on the auth path. */
  partnerCacheSeconds: number;
}

const DEV = {
  dataKey: "development-identity-data-key-000",
  hashPepper: "development-identity-hash-pepper",
  tokenSalt: "development-identity-token-salt",
};

function keyFrom(value: string | undefined, fallback: string, name: string, production: boolean): Buffer {
  if (!value) {
    if (production) throw new Error(`${name} is required when NODE_ENV=production`);
    return Buffer.from(fallback.padEnd(32, "0").slice(0, 32), "utf8");
  }
  const buf = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, "hex") : Buffer.from(value, "base64");
  if (buf.length !== 32) throw new Error(`${name} must be 32 bytes, hex (64 chars) or base64`);
  return buf;
}

const num = (v: string | undefined, d: number) => (v == null || v === "" ? d : Number(v));

export function readIdentityConfig(env: Record<string, string | undefined> = process.env): IdentityConfig {
  const production = env.NODE_ENV === "production";
  return {
    dataKey: keyFrom(env.IDENTITY_DATA_KEY, DEV.dataKey, "IDENTITY_DATA_KEY", production),
    hashPepper: keyFrom(env.IDENTITY_HASH_PEPPER, DEV.hashPepper, "IDENTITY_HASH_PEPPER", production),
    tokenSalt: keyFrom(env.IDENTITY_TOKEN_SALT, DEV.tokenSalt, "IDENTITY_TOKEN_SALT", production),
    smsGatewayUrl: env.IDENTITY_SMS_GATEWAY_URL || null,
    otpTtlSeconds: num(env.IDENTITY_OTP_TTL_SECONDS, 180),
    otpMaxFailures: num(env.IDENTITY_OTP_MAX_FAILURES, 3),
    otpFreezeSeconds: num(env.IDENTITY_OTP_FREEZE_SECONDS, 1800),
    otpFloodLimit: num(env.IDENTITY_OTP_FLOOD_LIMIT, 5),
    requestTimeWindowSeconds: num(env.IDENTITY_REQUEST_TIME_WINDOW_SECONDS, 30),
    kycTokenTtlSeconds: num(env.IDENTITY_KYC_TOKEN_TTL_SECONDS, 120),
    dedupMatchThreshold: num(env.IDENTITY_DEDUP_MATCH_THRESHOLD, 0.95),
    dedupReviewThreshold: num(env.IDENTITY_DEDUP_REVIEW_THRESHOLD, 0.85),
    partnerCacheSeconds: num(env.IDENTITY_PARTNER_CACHE_SECONDS, 5),
  };
}
