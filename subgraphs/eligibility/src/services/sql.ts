/**
 * Batch SQL for the bulk paths (a million rows): multi-row statements inside the caller's
 * transaction, written once for both dialects (PostgreSQL and SQLite share `ON CONFLICT`).
 * What should move to the kit: `execInTx` and `dbValue` helpers, and `idRanges`.
 */
import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { MoneyType, sqlRun, type SqlValue } from "@g2p/kit";

type Params = unknown[];

/** Runs SQL in `em`'s transaction (the job chunk's), returning rows or the affected-row count. */
export async function query<T = Record<string, unknown>>(em: EntityManager, sql: string, params: Params = []): Promise<T[]> {
  return (await em.getConnection().execute(sql, params, "all", em.getTransactionContext())) as T[];
}

export async function run(em: EntityManager, sql: string, params: Params = []): Promise<number> {
  const res = (await em.getConnection().execute(sql, params, "run", em.getTransactionContext())) as { affectedRows?: number; rowCount?: number };
  return Number(res?.affectedRows ?? res?.rowCount ?? 0);
}

export function isSqlite(em: EntityManager): boolean {
  return /sqlite|libsql/i.test(em.getPlatform().constructor.name);
}

/** A table name for raw SQL: schema-qualified on PostgreSQL (one schema per subgraph), plain on SQLite. */
export function table(em: EntityManager, name: string): string {
  const schema = isSqlite(em) ? null : (em.config.get("schema") as string | undefined);
  return schema ? `"${schema}"."${name}"` : `"${name}"`;
}

/** A Date as the column stores it (epoch ms on SQLite, timestamptz on PostgreSQL). */
export function dbDate(em: EntityManager, d: Date): unknown {
  return em.getPlatform().processDateProperty(d);
}

const moneyType = new MoneyType();
/** An exact amount ("12.50") as the MoneyType column stores it. */
export function dbMoney(em: EntityManager, amount: string): unknown {
  return moneyType.convertToDatabaseValue(amount, em.getPlatform());
}

/**
 * Multi-row INSERT in batches of `rowsPerStatement` (kept under SQLite's bound-parameter limit), with
 * the values *bound* (the kit's `sqlRun`). `Connection.execute` (used by `run`) would format every value
 * into the statement text: for a 1,000-row enrollment upsert that is ~0.5 MB of escaped literals to
 * build, lower-case (the driver's statement sniffing) and parse again — the largest SQL cost of the
 * evaluation job in its CPU profile.
 */
export async function insertRows(
  em: EntityManager,
  head: string,
  columns: number,
  rows: unknown[][],
  tail = "",
  rowsPerStatement = Math.max(1, Math.floor(30000 / columns)),
): Promise<number> {
  let affected = 0;
  const one = `(${new Array(columns).fill("?").join(", ")})`;
  for (let i = 0; i < rows.length; i += rowsPerStatement) {
    const batch = rows.slice(i, i + rowsPerStatement);
    const sql = `${head} values ${batch.map(() => one).join(", ")} ${tail}`;
    affected += await sqlRun(em, sql, batch.flat().map((v) => (v === undefined ? null : v)) as SqlValue[]);
  }
  return affected;
}

/**
 * Splits the UUID space into `n` ranges `after < id < until` (both exclusive, both valid UUIDs so
 * PostgreSQL's uuid columns accept them), the first open below and the last open above: every id
 * belongs to exactly one range, whatever its form.
 */
export function idRanges(n: number): { after: string | null; until: string | null }[] {
  const hex = (v: number) => v.toString(16).padStart(8, "0");
  const starts: number[] = [];
  for (let i = 1; i < n; i++) starts.push(Math.floor((i * 0x100000000) / n));
  return Array.from({ length: n }, (_, i) => ({
    after: i === 0 ? null : `${hex(starts[i - 1]! - 1)}-ffff-ffff-ffff-ffffffffffff`,
    until: i === n - 1 ? null : `${hex(starts[i]!)}-0000-0000-0000-000000000000`,
  }));
}

/**
 * The first 28 hex digits of a time-ordered UUID (version 7 layout: 48-bit millisecond timestamp,
 * version, random bits, variant); the caller appends 8 hex digits of a row counter. Rows inserted in
 * counter order get increasing ids, so primary-key and `(…, id)` indexes grow at their right edge
 * instead of taking a random page per row (measured: the largest cost of bulk inserts on SQLite).
 */
export function orderedIdPrefix(): string {
  const ms = Date.now().toString(16).padStart(12, "0").slice(-12);
  const rnd = randomUUID().replace(/-/g, "");
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${rnd.slice(0, 3)}-${"89ab"[parseInt(rnd[3]!, 16) % 4]}${rnd.slice(4, 7)}-${rnd.slice(7, 11)}`;
}

/** A generator of increasing, unique UUIDs for the rows of one bulk write (see orderedIdPrefix). */
export function orderedIds(): () => string {
  let prefix = orderedIdPrefix();
  let n = 0;
  return () => {
    if (n > 0xffffffff) {
      prefix = orderedIdPrefix();
      n = 0;
    }
    return prefix + (n++).toString(16).padStart(8, "0");
  };
}

/** SQLite page cache for the bulk jobs' connection (KiB; SQLite's default is 2 MB, outgrown by the indexes at 1M rows). */
export const SQLITE_CACHE_KIB = 65536;

/** Raises SQLite's page cache on the job's connection (no-op on PostgreSQL). */
export async function bulkCache(em: EntityManager): Promise<void> {
  if (isSqlite(em)) await run(em, `pragma cache_size = -${SQLITE_CACHE_KIB}`);
}
