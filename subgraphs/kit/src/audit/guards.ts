import type { MikroORM } from "@mikro-orm/core";
import type { Dialect } from "../orm";

/**
 * Makes audit_log append-only in the database itself, so not even a bug (or a hand-written query)
 * in the application can rewrite history. Idempotent: runs after every migration.
 */
export async function installAuditGuards(orm: MikroORM, dialect: Dialect, schema: string): Promise<void> {
  const conn = orm.em.getConnection();
  const exists =
    dialect === "sqlite"
      ? (await conn.execute("select 1 from sqlite_master where type = 'table' and name = 'audit_log'")).length > 0
      : (await conn.execute(`select to_regclass('"${schema}".audit_log') as t`))[0]?.t != null;
  if (!exists) return; // before the first migration (migration:create starts from nothing)
  if (dialect === "sqlite") {
    for (const op of ["update", "delete"]) {
      await conn.execute(
        `create trigger if not exists audit_log_no_${op} before ${op} on audit_log ` +
          `begin select raise(abort, 'audit_log is append-only'); end`,
      );
    }
    return;
  }
  const table = `"${schema}"."audit_log"`;
  await conn.execute(
    `create or replace function "${schema}".audit_log_append_only() returns trigger language plpgsql as $$ ` +
      `begin raise exception 'audit_log is append-only'; end $$`,
  );
  await conn.execute(`drop trigger if exists audit_log_append_only on ${table}`);
  await conn.execute(
    `create trigger audit_log_append_only before update or delete on ${table} ` +
      `for each row execute function "${schema}".audit_log_append_only()`,
  );
}
