/**
 * OTP codes with otplib's HOTP (RFC 4226, HMAC-SHA512 as IDA configures it) on a fresh random secret
 * per request. otplib's default entry loads an ESM-only base32 plugin (@scure/base) that Jest cannot
 * require, so we use its HOTP module with a node:crypto plugin of our own; no base32 is needed since
 * the secret is raw bytes.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { CryptoPlugin } from "@otplib/core";
import { generateSync } from "@otplib/hotp";

const nodeCrypto: CryptoPlugin = {
  name: "node",
  hmac: (algorithm, key, data) => new Uint8Array(createHmac(algorithm.toLowerCase().replace("-", ""), key).update(data).digest()),
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
  constantTimeEqual: (a, b) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  },
};

/** A 6-digit one-time code. */
export function newOtpCode(): string {
  return generateSync({ secret: new Uint8Array(randomBytes(32)), counter: 0, digits: 6, algorithm: "sha512", crypto: nodeCrypto });
}
