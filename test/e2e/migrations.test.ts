/**
 * Each subgraph's migrations, run from nothing, build the schema its entities describe: a migration
 * forgotten after an entity change fails here, not in production. On PostgreSQL (DATABASE_URL set)
 * MikroORM's schema diff must hold no table or column change (its default-value comparisons and
 * hand-written indexes, such as registry's partial unique "one HEAD per group", show up as noise, so
 * index and default statements are not judged here); on SQLite, whose diff reports false changes
 * (declared types are not kept), every entity's table must have exactly the entity's columns.
 */
import { createOrm, createTestDatabase } from "@g2p/kit";
import { ALL_SUBGRAPHS } from "../src";

describe.each(ALL_SUBGRAPHS.map((def) => [def.name, def] as const))("%s migrations", (_name, def) => {
  it("build exactly the entities' schema, with nothing left pending", async () => {
    const db = await createTestDatabase();
    const orm = await createOrm({ name: def.name, entities: def.entities, migrations: def.migrations, databaseUrl: db.databaseUrl, sqlitePath: ":memory:" });
    try {
      expect(await orm.getMigrator().getPendingMigrations()).toHaveLength(0);
      if (db.databaseUrl) {
        const diff = (await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false })).split("\n");
        const structural = diff.filter((line) => /create table|drop table|add column|drop column|rename/i.test(line));
        expect(structural).toEqual([]);
        return;
      }
      const conn = orm.em.getConnection();
      for (const meta of Object.values(orm.getMetadata().getAll())) {
        if (meta.embeddable || meta.virtual || !meta.tableName) continue;
        const expected = meta.props.flatMap((p) => p.fieldNames ?? []).sort();
        const columns: { name: string }[] = await conn.execute(`pragma table_info(\`${meta.tableName}\`)`);
        const actual = columns.map((c) => c.name).sort();
        expect({ table: meta.tableName, columns: actual }).toEqual({ table: meta.tableName, columns: expected });
      }
    } finally {
      await orm.close(true);
      await db.drop();
    }
  });
});
