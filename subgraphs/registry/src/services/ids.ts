/**
 * Ids for rows the registry writes in bulk. A UUIDv7 (RFC 9562: 48-bit millisecond timestamp, version
 * 7, then random bits) instead of a random v4: ids made in the same period sort together, so a large
 * import appends to the right-hand pages of every index keyed by id (primary keys, the key table's
 * registrant index, identifiers and memberships by registrant) instead of dirtying a random page per
 * row — measured the largest part of an import's SQLite write cost as the registry grows. Any UUID
 * column and any client accepts it; nothing reads meaning into an id. Not for registrants themselves:
 * their ids stay random v4 (see registrant.service.ts).
 */
import { randomUUID } from "node:crypto";

export function timeOrderedId(now = Date.now()): string {
  const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: keep its variant and random bits
  const ms = now.toString(16).padStart(12, "0").slice(-12);
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${random.slice(15)}`;
}
