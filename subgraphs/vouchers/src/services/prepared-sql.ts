/**
 * Statements run on the driver's own connection, prepared once per connection. MikroORM's
 * `execute` formats the values into the SQL text and the SQLite driver prepares that text again on
 * every call; for the hot paths (bulk issuance, redemption) that parse is a visible share of the CPU.
 * Driver connections come from the open transaction of an EntityManager, or are borrowed from the
 * ORM's pool (and handed back) outside a transaction, exactly as the ORM itself would get one.
 */
import type { EntityManager } from "@mikro-orm/core";

export interface SqliteStatement {
  run(params: unknown[]): { changes: number };
  get(params: unknown[]): Record<string, unknown> | undefined;
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}
interface KnexClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

const statements = new WeakMap<object, Map<string, SqliteStatement>>();

export const isSqlite = (em: EntityManager) => /sqlite|libsql/i.test(em.getPlatform().constructor.name);

/** `fn` with the driver connection of `em`'s transaction, or with one borrowed from the pool. */
export async function withDriverConnection<T>(em: EntityManager, fn: (connection: unknown) => T | Promise<T>): Promise<T> {
  const trx = em.getTransactionContext<{ client: KnexClient }>();
  if (trx) return fn(await trx.client.acquireConnection());
  const client = (em.getConnection() as unknown as { getKnex(): { client: KnexClient } }).getKnex().client;
  const connection = await client.acquireConnection();
  try {
    return await fn(connection);
  } finally {
    await client.releaseConnection(connection);
  }
}

/** A SQLite statement for `sql`, prepared once per driver connection. */
export function sqliteStatement(connection: unknown, sql: string): SqliteStatement {
  const conn = connection as SqliteConnection;
  let cache = statements.get(conn);
  if (!cache) statements.set(conn, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = conn.prepare(sql)));
  return statement;
}
