import type { EntityManager } from "@mikro-orm/core";
import { decimalToMinor, fromMinorUnits } from "@g2p/kit";

/** SQLite stores MoneyType as integer minor units, PostgreSQL as numeric: raw SQL must know which. */
export function isSqlite(em: EntityManager): boolean {
  return /sqlite|libsql/i.test(em.getPlatform().constructor.name);
}

/** The table of an entity as raw SQL needs it: schema-qualified on PostgreSQL (one schema per subgraph). */
export function tableOf(em: EntityManager, entity: { name: string }): string {
  const meta = em.getMetadata().get(entity.name);
  const schema = meta.schema && meta.schema !== "*" ? meta.schema : (em.config.get("schema") as string | undefined);
  return schema && !isSqlite(em) ? `"${schema}"."${meta.tableName}"` : `"${meta.tableName}"`;
}

/** A MoneyType column value read by raw SQL (SUM, etc.) as minor units. */
export function rawMoneyToMinor(em: EntityManager, value: unknown): bigint {
  if (value == null) return 0n;
  if (isSqlite(em)) return BigInt(typeof value === "number" ? Math.round(value) : String(value));
  return decimalToMinor(String(value));
}

/** Minor units as the raw SQL parameter of a MoneyType column. */
export function minorToRawMoney(em: EntityManager, minor: bigint): string {
  return isSqlite(em) ? minor.toString() : fromMinorUnits(minor);
}

/** Splits an array into slices of at most `size`: bounded IN lists and insert batches. */
export function slices<T>(items: T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** True for a unique-constraint violation on either database. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string };
  return e?.name === "UniqueConstraintViolationException" || e?.code === "23505" || /UNIQUE constraint failed|duplicate key/i.test(String(e?.message));
}

export interface BulkColumn {
  /** Column name in the table. */
  column: string;
  /** PostgreSQL type the text parameter is cast to (VALUES parameters arrive untyped). */
  pgType: string;
}

/**
 * Writes different values to many rows in one statement per 1,000 rows:
 * `UPDATE t SET c = v.c … FROM (VALUES (id, c, …), …) v WHERE t.id = v.id` (PostgreSQL, and SQLite
 * ≥ 3.33 whose VALUES columns are column1…N). `rows` are `[id, ...values in columns order]`, values
 * already in the column's raw form (minorToRawMoney, platform dates). Runs in the caller's transaction.
 */
export async function updateRows(em: EntityManager, entity: { name: string }, columns: BulkColumn[], rows: unknown[][], idType = "uuid"): Promise<void> {
  const table = tableOf(em, entity);
  const sqlite = isSqlite(em);
  const tuple = `(${["?", ...columns.map(() => "?")].join(", ")})`;
  for (const part of slices(rows, 1000)) {
    const values = part.map(() => tuple).join(", ");
    const sql = sqlite
      ? `update ${table} set ${columns.map((c, i) => `"${c.column}" = v.column${i + 2}`).join(", ")} from (values ${values}) as v where ${table}."id" = v.column1`
      : `update ${table} as t set ${columns.map((c) => `"${c.column}" = cast(v."${c.column}" as ${c.pgType})`).join(", ")} from (values ${values}) as v("id", ${columns
          .map((c) => `"${c.column}"`)
          .join(", ")}) where t."id" = cast(v."id" as ${idType})`;
    await em.getConnection().execute(sql, part.flat(), "run", em.getTransactionContext());
  }
}

/**
 * Multi-row `INSERT`, 1,000 rows per statement, values in raw column form (minorToRawMoney, platform
 * dates); with `ignoreConflictOn` a row whose unique column already holds its value is skipped
 * (`ON CONFLICT (…) DO NOTHING`, both databases). Cheaper than the ORM's insertMany at volume: no
 * per-value quoting, one parameterised statement.
 */
export async function insertRows(em: EntityManager, entity: { name: string }, columns: string[], rows: unknown[][], ignoreConflictOn?: string): Promise<void> {
  const table = tableOf(em, entity);
  const tuple = `(${columns.map(() => "?").join(", ")})`;
  const tail = ignoreConflictOn ? ` on conflict ("${ignoreConflictOn}") do nothing` : "";
  for (const part of slices(rows, 1000)) {
    await em
      .getConnection()
      .execute(`insert into ${table} (${columns.map((c) => `"${c}"`).join(", ")}) values ${part.map(() => tuple).join(", ")}${tail}`, part.flat(), "run", em.getTransactionContext());
  }
}
