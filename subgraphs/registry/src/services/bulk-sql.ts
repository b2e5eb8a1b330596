/**
 * Plain SQL for the bulk paths (import chunks, deduplication), in the caller's transaction, with real
 * bind parameters. MikroORM's `connection.execute()` inlines every value into the SQL text (escaping
 * each one, then preparing a statement no other chunk can reuse): for multi-row INSERTs of thousands
 * of values that was most of an import's database CPU. Inside a transaction we therefore talk to the
 * driver connection the transaction holds (libsql `prepare().run(values)`, pg `query(text, values)`);
 * outside one (never on the hot path) we fall back to MikroORM, which behaves the same, only slower.
 *
 * Values are converted as MikroORM stores them: SQLite epoch-ms datetimes, 0/1 booleans, JSON text;
 * PostgreSQL Date, boolean, JSON text (cast by the jsonb column).
 */
import type { EntityManager } from "@mikro-orm/core";

type LibsqlStatement = { run(values: unknown[]): unknown; all(values: unknown[]): unknown[] };
type LibsqlConnection = { prepare(sql: string): LibsqlStatement };
type PgConnection = { query(q: { text: string; values: unknown[] }): Promise<{ rows: unknown[] }> };
type TxClient = { client?: { acquireConnection?: () => Promise<unknown> } };

/** Prepared statements per SQLite connection: chunks repeat the same statement shapes. */
const statements = new WeakMap<object, Map<string, LibsqlStatement>>();
const STATEMENT_CACHE = 32;

function prepared(conn: LibsqlConnection, sql: string, reuse: boolean): LibsqlStatement {
  // A statement of a multi-row INSERT holds a memory cell per parameter (about a megabyte for a
  // full slice): only shapes that recur are kept, never the odd-sized last slice of a batch.
  if (!reuse) return conn.prepare(sql);
  let cache = statements.get(conn);
  if (!cache) statements.set(conn, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) {
    if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
    stmt = conn.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}

/** `?` placeholders to PostgreSQL's `$n` (our bulk SQL never has `?` inside literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * Per-statement timing for benchmarks (`BULK_SQL_TIMING=1`): total milliseconds and calls per
 * statement shape (multi-row VALUES folded), read with `bulkSqlTimings()`. Off: one boolean test.
 */
const TIMING = process.env.BULK_SQL_TIMING === "1";
const timings = new Map<string, { calls: number; ms: number }>();
export function bulkSqlTimings(): { statement: string; calls: number; ms: number }[] {
  return [...timings].map(([statement, t]) => ({ statement, calls: t.calls, ms: Math.round(t.ms) })).sort((a, b) => b.ms - a.ms);
}
function timed<T>(sql: string, run: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  return run().finally(() => {
    const shape = sql.replace(/\((\?, )*\?\)(, \((\?, )*\?\))+/g, "(?, ...), ...").slice(0, 120);
    const t = timings.get(shape) ?? timings.set(shape, { calls: 0, ms: 0 }).get(shape)!;
    t.calls++;
    t.ms += Number(process.hrtime.bigint() - started) / 1e6;
  });
}

/** Column types by qualified table name (see `columnTypes`); tables do not change under a process. */
const pgColumnTypes = new Map<string, Map<string, string>>();

/** Rows per PostgreSQL INSERT (one array parameter per column, see `insert`). */
const PG_ROWS_PER_STATEMENT = 5000;

/** Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMS = 30_000;

export function isPostgres(em: EntityManager): boolean {
  return em.getPlatform().constructor.name.toLowerCase().includes("postgre");
}

export function bulkSql(em: EntityManager) {
  const pg = isPostgres(em);
  const schema = em.config.get("schema");
  const table = (name: string) => (pg && schema ? `"${schema}"."${name}"` : `"${name}"`);
  const ctx = em.getTransactionContext<TxClient>();
  let conn: Promise<unknown> | null = null;
  const driver = () => (conn ??= ctx?.client?.acquireConnection ? ctx.client.acquireConnection() : Promise.resolve(null));

  function exec<T>(sql: string, params: unknown[], method: "all" | "run", reuse = true): Promise<T[]> {
    return TIMING ? timed(sql, () => execNow<T>(sql, params, method, reuse)) : execNow<T>(sql, params, method, reuse);
  }
  async function execNow<T>(sql: string, params: unknown[], method: "all" | "run", reuse: boolean): Promise<T[]> {
    const c = await driver();
    if (!c) return (await em.getConnection().execute(sql, params, method, ctx)) as T[];
    if (pg) return (await (c as PgConnection).query({ text: numbered(sql), values: params })).rows as T[];
    const stmt = prepared(c as LibsqlConnection, sql, reuse);
    if (method === "run") {
      stmt.run(params);
      return [];
    }
    return stmt.all(params) as T[];
  }

  /** Column types of a table as PostgreSQL spells them (`format_type`), read once per process. */
  async function columnTypes(name: string): Promise<Map<string, string>> {
    const key = table(name);
    let types = pgColumnTypes.get(key);
    if (!types) {
      const rows = await execNow<{ attname: string; type: string }>(`select attname, format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = ?::regclass and attnum > 0 and not attisdropped`, [key], "all", false);
      types = new Map(rows.map((r) => [r.attname, r.type]));
      pgColumnTypes.set(key, types);
    }
    return types;
  }

  return {
    pg,
    table,
    date: (d: Date) => (pg ? d : d.getTime()),
    bool: (b: boolean) => (pg ? b : b ? 1 : 0),
    json: (v: unknown) => JSON.stringify(v),
    /** A JSON array parameter as rows of one `value` column. */
    jsonList: pg ? "select jsonb_array_elements_text(?::jsonb) as value" : "select value from json_each(?)",
    /** The same for ids (uuid columns on PostgreSQL). */
    idList: pg ? "select jsonb_array_elements_text(?::jsonb)::uuid as value" : "select value from json_each(?)",
    all: <T>(sql: string, params: unknown[] = []) => exec<T>(sql, params, "all"),
    run: (sql: string, params: unknown[] = []) => exec(sql, params, "run").then(() => undefined),
    /**
     * Bulk INSERT: on SQLite multi-row VALUES in slices of at most `rowsPerStatement` rows (full
     * slices reuse one prepared statement); on PostgreSQL one array per column (below).
     * `pgArrays: false` keeps multi-row VALUES on PostgreSQL for rows that are mostly one large JSON
     * document (staged submissions): inside an array literal every quote is escaped once more, and
     * staging measured 2.0 s instead of 1.1 s per 30,000 submissions that way.
     */
    async insert(name: string, columns: string[], rows: unknown[][], opts: { rowsPerStatement?: number; pgArrays?: boolean } = {}) {
      if (pg && opts.pgArrays !== false) {
        // One array parameter per column, spread back into rows by unnest: PostgreSQL parses and
        // plans a statement of a few parameters instead of thousands (a 2-column table: 1.2 s
        // instead of 1.9 s per 200,000 rows, side by side). Each array is cast to its column's type.
        const types = await columnTypes(name);
        const head = `insert into ${table(name)} (${columns.map((c) => `"${c}"`).join(", ")}) select * from unnest(${columns.map((c) => `?::${types.get(c) ?? "text"}[]`).join(", ")})`;
        for (let i = 0; i < rows.length; i += PG_ROWS_PER_STATEMENT) {
          const part = rows.slice(i, i + PG_ROWS_PER_STATEMENT);
          await exec(head, columns.map((_, c) => part.map((r) => r[c])), "run");
        }
        return;
      }
      const per = Math.max(1, Math.min(opts.rowsPerStatement ?? 500, Math.floor(MAX_PARAMS / columns.length)));
      const tuple = `(${columns.map(() => "?").join(", ")})`;
      const head = `insert into ${table(name)} (${columns.map((c) => `"${c}"`).join(", ")}) values `;
      for (let i = 0; i < rows.length; i += per) {
        const part = rows.slice(i, i + per);
        await exec(head + new Array(part.length).fill(tuple).join(", "), part.flat(), "run", part.length === per);
      }
    },
  };
}
