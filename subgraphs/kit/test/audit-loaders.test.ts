import { Entity, PrimaryKey, Property, type MikroORM } from "@mikro-orm/core";
import { audit, AuditEntry, auditTrail } from "../src/audit";
import { createViewer } from "../src/auth/viewer";
import { loaderByKey, loaderGroupedBy } from "../src/loaders";
import { installAuditGuards } from "../src/audit/guards";
import { dialectOf } from "../src/orm";
import { kitTestOrm } from "./helpers";

@Entity({ tableName: "pet" })
class Pet {
  @PrimaryKey({ type: "string" }) id!: string;
  @Property({ type: "string" }) owner!: string;
}

describe("audit log and loaders", () => {
  let orm: MikroORM;
  let close: () => Promise<void>;
  const queries: string[] = [];

  beforeAll(async () => {
    ({ orm, close } = await kitTestOrm([Pet], (sql) => queries.push(sql)));
    await installAuditGuards(orm, dialectOf(process.env.DATABASE_URL), "kit_test");
  });
  afterAll(() => close());

  it("records who did what to which record, in the same transaction as the change", async () => {
    const actor = { viewer: createViewer({ sub: "registrar-7", roles: ["registrar"] }), requestId: "req-1", ip: "127.0.0.1" };
    await orm.em.fork().transactional(async (em) => {
      em.create(Pet, { id: "p1", owner: "a" });
      audit(em, actor, { action: "pet.create", entityType: "Pet", entityId: "p1", changes: { owner: "a" } });
    });
    await expect(
      orm.em.fork().transactional(async (em) => {
        em.create(Pet, { id: "p2", owner: "b" });
        audit(em, actor, { action: "pet.create", entityType: "Pet", entityId: "p2" });
        await em.flush();
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    const trail = await auditTrail(orm.em.fork(), "Pet", "p1");
    expect(trail).toHaveLength(1);
    expect(trail[0]).toMatchObject({ actor: "registrar-7", actorRoles: "registrar", action: "pet.create", requestId: "req-1", changes: { owner: "a" } });
    expect(await auditTrail(orm.em.fork(), "Pet", "p2")).toHaveLength(0);
  });

  it("refuses to update or delete audit lines, even by hand-written SQL", async () => {
    const conn = orm.em.getConnection();
    const table = process.env.DATABASE_URL ? `"kit_test".audit_log` : "audit_log";
    await expect(conn.execute(`update ${table} set actor = 'someone-else'`)).rejects.toThrow(/append-only/);
    await expect(conn.execute(`delete from ${table}`)).rejects.toThrow(/append-only/);
    expect(await orm.em.fork().count(AuditEntry, {})).toBe(1);
  });

  it("batches loads into one query, keeping key order and misses", async () => {
    const em = orm.em.fork();
    em.create(Pet, { id: "p3", owner: "a" });
    em.create(Pet, { id: "p4", owner: "c" });
    await em.flush();
    const read = orm.em.fork();
    const byId = loaderByKey(read, Pet);
    const byOwner = loaderGroupedBy(read, Pet, "owner", { id: "asc" });
    queries.length = 0;
    const [pets, groups] = await Promise.all([
      Promise.all(["p4", "nope", "p1"].map((id) => byId.load(id))),
      Promise.all(["a", "zzz", "c"].map((o) => byOwner.load(o))),
    ]);
    expect(pets.map((p) => p?.id ?? null)).toEqual(["p4", null, "p1"]);
    expect(groups.map((g) => g.map((p) => p.id))).toEqual([["p1", "p3"], [], ["p4"]]);
    expect(queries).toHaveLength(2);
  });
});
