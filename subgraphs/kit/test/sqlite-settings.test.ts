/**
 * SQLite's per-connection settings hold for every connection the pool opens, not only the first:
 * MikroORM's libsql dialect replaces a file connection once it is older than 10 s.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { MikroORM } from "@mikro-orm/core";
import { createOrm } from "../src/orm";

const pragma = async (orm: MikroORM, name: string) => {
  const rows = (await orm.em.getConnection().execute(`pragma ${name}`)) as Record<string, unknown>[];
  return Object.values(rows[0]!)[0];
};

describe("SQLite connection settings", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "g2p-kit-sqlite-"));
  let orm: MikroORM;

  beforeAll(async () => {
    orm = await createOrm({ name: "settings", entities: [], migrations: { sqlite: [], postgresql: [] }, dataDir: dir, sqliteSynchronous: "NORMAL", sqliteCacheMb: 64, sqliteWalAutocheckpoint: 100_000 });
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await orm?.close(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const settings = async () => ({
    busyTimeout: await pragma(orm, "busy_timeout"),
    synchronous: await pragma(orm, "synchronous"), // 1 = NORMAL, 2 = FULL
    foreignKeys: await pragma(orm, "foreign_keys"),
    journal: await pragma(orm, "journal_mode"),
    cacheSize: await pragma(orm, "cache_size"), // negative: KiB
    walAutocheckpoint: await pragma(orm, "wal_autocheckpoint"),
  });
  const expected = { busyTimeout: 5000, synchronous: 1, foreignKeys: 1, journal: "wal", cacheSize: -64 * 1024, walAutocheckpoint: 100_000 };

  it("the first connection has them", async () => {
    expect(await settings()).toEqual(expected);
  });

  it("a connection opened after the pool replaced an old one (> 10 s) has them too", async () => {
    // The pool is knex's (MikroORM's SQL connection exposes it, its base type does not).
    const knex = (orm.em.getConnection() as unknown as { getKnex(): { client: { acquireConnection(): Promise<unknown>; releaseConnection(c: unknown): Promise<void> } } }).getKnex();
    const first = await knex.client.acquireConnection();
    await knex.client.releaseConnection(first);
    const now = Date.now();
    jest.spyOn(Date, "now").mockReturnValue(now + 11_000); // the dialect now finds the connection stale
    const second = await knex.client.acquireConnection();
    await knex.client.releaseConnection(second);
    expect(second).not.toBe(first); // the pool did replace it
    expect(await settings()).toEqual(expected);
  });
});
