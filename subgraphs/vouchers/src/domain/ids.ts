/**
 * Time-ordered row ids (UUID version 7, RFC 9562: 48-bit Unix milliseconds, then 74 random bits).
 * Bulk issuance writes a million vouchers and history lines: with random (v4) ids every row lands on
 * a random page of the primary-key and history indexes, so each chunk dirties thousands of pages that
 * the commit must write; ids that grow with time append to the last pages instead. The 74 random bits
 * keep ids unguessable and collision-free across processes. A v7 id reveals its creation time, which
 * `createdAt` already publishes.
 */
import { randomFillSync } from "node:crypto";

const pool = Buffer.alloc(16 * 1024);
let poolPos = pool.length;

export function timeOrderedUuid(now = Date.now()): string {
  if (poolPos + 10 > pool.length) {
    randomFillSync(pool);
    poolPos = 0;
  }
  const bytes = Buffer.allocUnsafe(16);
  // 48-bit big-endian millisecond timestamp.
  bytes.writeUIntBE(now, 0, 6);
  pool.copy(bytes, 6, poolPos, poolPos + 10);
  poolPos += 10;
  bytes[6] = 0x70 | (bytes[6]! & 0x0f); // version 7
  bytes[8] = 0x80 | (bytes[8]! & 0x3f); // RFC 9562 variant
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
