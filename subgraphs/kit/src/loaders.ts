/**
 * DataLoader factories over MikroORM: each batch is one `WHERE field IN (...)` query, and results
 * come back in the order and length of the keys (the DataLoader contract).
 */
import type { EntityManager, EntityName, FilterQuery } from "@mikro-orm/core";
import DataLoader from "dataloader";

/** One row (or null) per key, matched on `field` (the primary key by default). */
export function loaderByKey<T extends object>(em: EntityManager, entity: EntityName<T>, field: keyof T & string = "id" as keyof T & string) {
  return new DataLoader<string, T | null>(async (keys) => {
    const rows = await em.find(entity, { [field]: { $in: [...keys] } } as FilterQuery<T>);
    const byKey = new Map(rows.map((row) => [String(row[field]), row]));
    return keys.map((k) => byKey.get(k) ?? null);
  });
}

/** Every row whose `field` equals the key, per key (one-to-many), in `orderBy` order. */
export function loaderGroupedBy<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  field: keyof T & string,
  orderBy: Partial<Record<keyof T & string, "asc" | "desc">> = {},
) {
  return new DataLoader<string, T[]>(async (keys) => {
    const rows = await em.find(entity, { [field]: { $in: [...keys] } } as FilterQuery<T>, { orderBy: orderBy as never });
    const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
    for (const row of rows) groups.get(String(row[field]))?.push(row);
    return keys.map((k) => groups.get(k)!);
  });
}
