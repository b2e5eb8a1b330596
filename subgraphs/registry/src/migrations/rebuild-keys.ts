/**
 * Rebuilds every registrant's key rows from its stored values with the current `registrantKeys`.
 * For migrations that change the key format: the stored keys must always be exactly what
 * `registrantKeys` gives for a registrant's values (services/keys.ts deletes them by recomputing).
 * Pages through the registry by id (bounded memory); merged registrants hold no keys.
 */
import { registrantKeys } from "../services/normalize";

type Exec = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export async function rebuildAllKeys(execute: Exec, table: (name: string) => string, opts: { pg: boolean; page?: number }): Promise<void> {
  const page = opts.page ?? 2000;
  await execute(`delete from ${table("registrant_key")}`);
  let after = "";
  for (;;) {
    const rows = await execute(
      `select id, kind, given_name, family_name, other_names, group_name, birth_date, admin_area_code, admin_area_path, primary_phone from ${table("registrant")} where id > ? and status <> 'MERGED' order by id limit ${page}`,
      [after === "" ? (opts.pg ? "00000000-0000-0000-0000-000000000000" : "") : after],
    );
    if (!rows.length) return;
    const values: unknown[] = [];
    for (const r of rows) {
      const keys = registrantKeys({
        kind: r.kind as "INDIVIDUAL" | "GROUP", givenName: r.given_name as string | null, familyName: r.family_name as string | null, otherNames: r.other_names as string | null, groupName: r.group_name as string | null,
        birthDate: r.birth_date as string | null, adminAreaCode: r.admin_area_code as string | null, adminAreaPath: r.admin_area_path as string | null, primaryPhone: r.primary_phone as string | null,
      });
      for (const k of keys) values.push(k, r.id);
    }
    for (let i = 0; i < values.length; i += 2 * 5000) {
      const part = values.slice(i, i + 2 * 5000);
      await execute(`insert into ${table("registrant_key")} (key, registrant_id) values ${new Array(part.length / 2).fill("(?, ?)").join(", ")}`, part);
    }
    after = String(rows.at(-1)!.id);
  }
}
