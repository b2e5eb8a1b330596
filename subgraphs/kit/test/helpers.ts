import type { EntityClass, MikroORM } from "@mikro-orm/core";
import { createOrm } from "../src/orm";
import { createTestDatabase, type TestDatabase } from "../src/testing";

/**
 * An ORM over the kit's own tables plus test entities. Kit tables have no migrations of their own
 * (each subgraph's migrations include them), so here the schema is created from metadata.
 */
export async function kitTestOrm(
  entities: EntityClass<unknown>[] = [],
  onQuery?: (sql: string) => void,
): Promise<{ orm: MikroORM; db: TestDatabase; close(): Promise<void> }> {
  const db = await createTestDatabase();
  const orm = await createOrm({
    name: "kit_test",
    entities,
    migrations: { sqlite: [], postgresql: [] },
    databaseUrl: db.databaseUrl,
    sqlitePath: ":memory:",
    migrate: false,
    onQuery,
  });
  await orm.schema.createSchema();
  return {
    orm,
    db,
    async close() {
      await orm.close(true);
      await db.drop();
    },
  };
}
