/**
 * Plain SQL with bind parameters, for hot paths that a block has measured and moved off the ORM.
 *
 * MikroORM's `Connection.execute(sql, params)` formats every parameter into the SQL text (escaping
 * strings, formatting dates) and sends the result as one literal statement; on a small request that
 * formatting and the longer text cost more CPU than the query itself. Here the parameters travel as
 * bind parameters through the same knex client and pool (so the text is constant and no value is ever
 * part of it), inside the EntityManager's current transaction when there is one. Statements still reach
 * MikroORM's query log when it is on (tests count statements through `onQuery`).
 *
 * Placeholders are `?`. Values: strings, numbers, booleans, null, Date (epoch ms on SQLite, as MikroORM
 * stores datetimes there; a timestamp on PostgreSQL); never `undefined` (knex refuses it).
 */
import type { EntityManager } from "@mikro-orm/core";

export type SqlValue = string | number | boolean | Date | null;
export type SqlRow = Record<string, unknown>;

/** The parts of MikroORM's SQL connection this module uses (public in JS, partly protected in its types). */
interface SqlConnection {
  getKnex(): { raw(sql: string, bindings: readonly SqlValue[]): { transacting(trx: unknown): unknown } & PromiseLike<unknown> };
  transformRawResult<T>(res: unknown, method: "all" | "run"): T;
  executeQuery<T>(query: string, cb: () => Promise<T>, context?: object): Promise<T>;
  config: { getLogger(): { isEnabled(namespace: "query"): boolean } };
}

async function execute<T>(em: EntityManager, sql: string, params: readonly SqlValue[], method: "all" | "run"): Promise<T> {
  const conn = em.getConnection() as unknown as SqlConnection;
  const trx = em.getTransactionContext();
  const run = async () => {
    const query = conn.getKnex().raw(sql, params);
    if (trx) query.transacting(trx);
    return conn.transformRawResult<T>(await query, method);
  };
  // The query log is off in production: skip MikroORM's timing/logging wrapper then.
  return conn.config.getLogger().isEnabled("query") ? conn.executeQuery(sql, run, { query: sql }) : run();
}

/** The rows of a SELECT (or of a statement with RETURNING). */
export function sqlRows<R extends SqlRow = SqlRow>(em: EntityManager, sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
  return execute<R[]>(em, sql, params, "all");
}

/** Runs an INSERT / UPDATE / DELETE; resolves to the number of rows it changed. */
export async function sqlRun(em: EntityManager, sql: string, params: readonly SqlValue[] = []): Promise<number> {
  const res = await execute<{ affectedRows?: number }>(em, sql, params, "run");
  return Number(res?.affectedRows ?? 0);
}
