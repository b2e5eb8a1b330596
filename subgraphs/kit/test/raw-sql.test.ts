import { Entity, PrimaryKey, Property, type MikroORM } from "@mikro-orm/core";
import { sqlRows, sqlRun } from "../src/orm";
import { kitTestOrm } from "./helpers";

@Entity({ tableName: "visit" })
class Visit {
  @PrimaryKey({ type: "string" }) id!: string;
  @Property({ type: "string" }) note!: string;
  @Property({ type: "boolean" }) done!: boolean;
  @Property({ type: "datetime" }) at!: Date;
}

describe("sqlRows / sqlRun (bind parameters)", () => {
  let orm: MikroORM;
  let close: () => Promise<void>;
  const queries: string[] = [];
  const pg = !!process.env.DATABASE_URL;
  const visit = pg ? `"kit_test"."visit"` : `"visit"`;

  beforeAll(async () => {
    ({ orm, close } = await kitTestOrm([Visit], (sql) => queries.push(sql)));
  });
  afterAll(() => close());

  it("sends values as bind parameters: never in the SQL text, quotes and dates intact, read back by the ORM", async () => {
    const at = new Date("2026-11-28T04:05:06.789Z");
    const tricky = `O'Brien "x" ? \\ ; drop table visit; --`;
    queries.length = 0;
    expect(await sqlRun(orm.em.fork(), `insert into ${visit} (id, note, done, at) values (?, ?, ?, ?), (?, ?, ?, ?)`, ["v1", tricky, true, at, "v2", "plain", false, at])).toBe(2);
    expect(queries.join("\n")).not.toContain("O'Brien");
    expect(queries.join("\n")).not.toContain("2026");
    const rows = await sqlRows(orm.em.fork(), `select id, note from ${visit} where note = ? or id = ? order by id`, [tricky, "v2"]);
    expect(rows).toEqual([{ id: "v1", note: tricky }, { id: "v2", note: "plain" }]);
    const v1 = await orm.em.fork().findOneOrFail(Visit, "v1");
    expect({ done: v1.done, at: v1.at.toISOString() }).toEqual({ done: true, at: at.toISOString() });
    expect(await sqlRun(orm.em.fork(), `update ${visit} set done = ? where done = ?`, [true, false])).toBe(1);
    expect(await sqlRun(orm.em.fork(), `update ${visit} set done = ? where id = ?`, [true, "nobody"])).toBe(0);
  });

  it("runs inside the EntityManager's transaction, so a rollback undoes it", async () => {
    await expect(
      orm.em.fork().transactional(async (em) => {
        await sqlRun(em, `insert into ${visit} (id, note, done, at) values (?, ?, ?, ?)`, ["v3", "in tx", false, new Date()]);
        expect(await sqlRows(em, `select id from ${visit} where id = ?`, ["v3"])).toHaveLength(1);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await sqlRows(orm.em.fork(), `select id from ${visit} where id = ?`, ["v3"])).toHaveLength(0);
  });
});
