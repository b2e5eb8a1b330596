/**
 * Voucher numbers. The serial (14 digits) is public; the secret (18 digits: 17 random + a Luhn check
 * digit, so a mistyped digit is caught before any lookup) is the bearer value and is stored only as
 * an HMAC (32 bytes). All digits come from the CSPRNG. Bulk issuance draws its numbers in the issuing
 * worker (services/issue-worker.ts), which implements the same rules; tests hold the two together.
 */
import { createHmac, randomFillSync } from "node:crypto";

// Random bytes drawn from the CSPRNG in blocks (one call per ~13,000 digits instead of one per digit:
// bulk issuance draws 31 digits per voucher). Bytes >= 250 are rejected, so every digit is uniform.
const pool = Buffer.alloc(16_384);
let poolPos = pool.length;

function randomDigit(min: number): number {
  for (;;) {
    if (poolPos >= pool.length) {
      randomFillSync(pool);
      poolPos = 0;
    }
    const b = pool[poolPos++]!;
    if (b < 250 && b % 10 >= min) return b % 10;
  }
}

function randomDigits(n: number, firstNonZero = false): string {
  let out = firstNonZero ? String(randomDigit(1)) : "";
  while (out.length < n) out += String(randomDigit(0));
  return out;
}

export function luhnCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidSecret(secret: string): boolean {
  return /^\d{18}$/.test(secret) && luhnCheckDigit(secret.slice(0, 17)) === Number(secret[17]);
}

export const newSerialNumber = () => randomDigits(14, true);

export function newSecret(): string {
  const body = randomDigits(17, true);
  return `${body}${luhnCheckDigit(body)}`;
}

/** The stored form of a secret: HMAC-SHA256 with the deployment's pepper, 32 raw bytes. */
export function hashSecret(secret: string, pepper: string): Buffer {
  return createHmac("sha256", pepper).update(secret).digest();
}
