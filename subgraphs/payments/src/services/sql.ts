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
