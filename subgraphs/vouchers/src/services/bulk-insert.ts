/**
 * Multi-row INSERTs for bulk issuance and the redemption group write, on the open transaction's own
 * driver connection, with bind parameters and statements prepared once per connection.
 *
 * Why not `em.insertMany`: for 1,000 vouchers it formats 18,000 values into the SQL text (escaping
 * each), then the SQLite driver lowercases and parses that text again for every chunk: ≈ 15 % of the
 * issuing CPU in the first pass's profile (docs/vouchers.md). Here the SQL text is built once per row
 * count, values are bound, and each value is converted exactly as the ORM converts it (the property's
 * mapped type, then the platform's date and boolean representation), so rows read back identically.
 */
import type { EntityManager, EntityProperty } from "@mikro-orm/core";
import { isSqlite, sqliteStatement, withDriverConnection } from "./prepared-sql";

/** Rows per statement: 100 × 18 columns stays far below SQLite's and PostgreSQL's parameter limits. */
export const ROWS_PER_STATEMENT = 100;

interface PgConnection {
  query(q: { name: string; text: string; values: unknown[] }): Promise<unknown>;
}

type Convert = (value: unknown) => unknown;

interface TablePlan {
  table: string;
  fields: string[];
  convert: Convert[];
  sqlite: boolean;
  /** The INSERT text by row count (a chunk uses at most two: full statements and the remainder). */
  sql: Map<number, string>;
}

const plans = new WeakMap<object, Map<string, TablePlan>>();

function converterOf(em: EntityManager, prop: EntityProperty, sqlite: boolean): Convert {
  const platform = em.getPlatform();
  const mapped = prop.customType;
  return (value) => {
    if (value == null) return null;
    let v = mapped ? mapped.convertToDatabaseValue(value, platform, { mode: "query" }) : value;
    if (v instanceof Date) v = platform.processDateProperty(v);
    if (sqlite && typeof v === "boolean") v = v ? 1 : 0;
    return v;
  };
}

function planOf(em: EntityManager, entityName: string, properties: readonly string[]): TablePlan {
  const metadata = em.getMetadata();
  let byEntity = plans.get(metadata);
  if (!byEntity) plans.set(metadata, (byEntity = new Map()));
  const key = `${entityName}:${properties.join(",")}`;
  let plan = byEntity.get(key);
  if (!plan) {
    const meta = metadata.get(entityName);
    const sqlite = isSqlite(em);
    // PostgreSQL: this block's tables live in its own schema (the ORM's default schema).
    const schema = em.config.get("schema");
    const props = properties.map((name) => {
      const prop = meta.properties[name as never] as EntityProperty | undefined;
      if (!prop || prop.fieldNames?.length !== 1) throw new Error(`bulk insert: ${entityName}.${name} is not a single-column property`);
      return prop;
    });
    plan = {
      table: `${schema && !sqlite ? `"${schema}".` : ""}"${meta.tableName}"`,
      fields: props.map((p) => p.fieldNames[0]!),
      convert: props.map((p) => converterOf(em, p, sqlite)),
      sqlite,
      sql: new Map(),
    };
    byEntity.set(key, plan);
  }
  return plan;
}

function insertSql(plan: TablePlan, rowCount: number): string {
  const cached = plan.sql.get(rowCount);
  if (cached) return cached;
  const width = plan.fields.length;
  const tuples: string[] = [];
  for (let r = 0; r < rowCount; r++) {
    const marks = plan.fields.map((_, c) => (plan.sqlite ? "?" : `$${r * width + c + 1}`));
    tuples.push(`(${marks.join(", ")})`);
  }
  const sql = `insert into ${plan.table} (${plan.fields.map((f) => `"${f}"`).join(", ")}) values ${tuples.join(", ")}`;
  plan.sql.set(rowCount, sql);
  return sql;
}

/** A short, stable name for a PostgreSQL prepared statement (names are limited to 63 bytes). */
function statementName(sql: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < sql.length; i++) h = Math.imul(h ^ sql.charCodeAt(i), 0x01000193);
  return `g2p_vouchers_bulk_${(h >>> 0).toString(16)}_${sql.length}`;
}

/**
 * Inserts `rows` (objects keyed by entity property name) into the entity's table, inside the
 * transaction `em` belongs to. Driver errors are converted to the ORM's exceptions (a unique
 * violation is still a `UniqueConstraintViolationException`).
 */
export async function insertRows(em: EntityManager, entityName: string, properties: readonly string[], rows: readonly Record<string, unknown>[]): Promise<void> {
  if (!rows.length) return;
  if (!em.getTransactionContext()) throw new Error("bulk insert runs inside a transaction");
  const plan = planOf(em, entityName, properties);
  try {
    await withDriverConnection(em, async (connection) => {
      for (let from = 0; from < rows.length; from += ROWS_PER_STATEMENT) {
        const slice = rows.slice(from, from + ROWS_PER_STATEMENT);
        const values: unknown[] = [];
        for (const row of slice) for (let c = 0; c < properties.length; c++) values.push(plan.convert[c]!(row[properties[c]!]));
        const sql = insertSql(plan, slice.length);
        if (plan.sqlite) sqliteStatement(connection, sql).run(values);
        else await (connection as PgConnection).query({ name: statementName(sql), text: sql, values });
      }
    });
  } catch (err) {
    throw em.getPlatform().getExceptionConverter().convertException(err as Error);
  }
}
