/**
 * Writing and removing registrant_key rows. The table has no index on registrant_id (each key row
 * would pay a second random B-tree entry on every import for a lookup only updates need): a
 * registrant's rows are removed by recomputing the keys its stored values give (`registrantKeys` is
 * deterministic) and deleting them by primary key (key, registrant_id). The rule that keeps this
 * exact: every change to the key format ships with a migration rebuilding the stored keys
 * (migrations/rebuild-keys.ts).
 */
import type { EntityManager } from "@mikro-orm/core";
import { bulkSql } from "./bulk-sql";
import { registrantKeys, type KeySource } from "./normalize";

export type Keyed = KeySource & { id: string };

/** What the keys are computed from, copied (a snapshot before an entity's values change). */
export function keySourceOf(r: Keyed): Keyed {
  return { id: r.id, kind: r.kind, givenName: r.givenName, familyName: r.familyName, otherNames: r.otherNames, groupName: r.groupName, birthDate: r.birthDate, adminAreaCode: r.adminAreaCode, adminAreaPath: r.adminAreaPath, primaryPhone: r.primaryPhone };
}

/** Removes the key rows of registrants as they are stored now (call before changing their values). */
export async function deleteRegistrantKeys(em: EntityManager, registrants: Keyed[]): Promise<void> {
  const pairs = registrants.flatMap((r) => registrantKeys(r).map((k) => [k, r.id]));
  const sql = bulkSql(em);
  const list = sql.pg
    ? "select e->>0, (e->>1)::uuid from jsonb_array_elements(?::jsonb) e"
    : "select json_extract(value, '$[0]'), json_extract(value, '$[1]') from json_each(?)";
  for (let i = 0; i < pairs.length; i += 5000) {
    await sql.run(`delete from ${sql.table("registrant_key")} where (key, registrant_id) in (${list})`, [JSON.stringify(pairs.slice(i, i + 5000))]);
  }
}

/** Inserts registrants' key rows (`registrantKeys` of their new values). */
export async function insertRegistrantKeys(em: EntityManager, registrants: { id: string; keys: string[] }[]): Promise<void> {
  const sql = bulkSql(em);
  await sql.insert("registrant_key", ["key", "registrant_id"], registrants.flatMap((r) => r.keys.map((key) => [key, r.id])), { rowsPerStatement: 2000 });
}
