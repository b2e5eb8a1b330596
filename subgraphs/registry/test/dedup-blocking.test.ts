import { dataOf, startTestSubgraph, type AuditActor, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";
import { DedupCandidate } from "../src/entities/dedup-candidate.entity";
import { RegistrantKind, RegistrationSource } from "../src/entities/registrant.entity";
import { writeUnits, type IntakeUnit } from "../src/services/registrant.service";
import { pairsInMemory } from "../src/services/dedup.service";
import { timeOrderedId } from "../src/services/ids";
import { migrations as postgresql } from "../src/migrations/postgresql";
import { migrations as sqlite } from "../src/migrations/sqlite";
import { blockDateRange, dateBuckets, registrantKeys } from "../src/services/normalize";
import { DEFAULT_DEDUP } from "../src/services/settings.service";

const registrar = { role: "registrar" as const, sub: "registrar-1" };
const DAY = 86_400_000;
const iso = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

describe("name blocks as birth-date ranges (b:<code>:<date> keys)", () => {
  it("blockDateRange holds exactly the dates that share a 365-day bucket with the date", () => {
    const start = Math.floor(Date.parse("1960-01-01") / DAY);
    for (let a = start; a < start + 800; a += 7) {
      const [lo, hi] = blockDateRange(iso(a))!;
      const mine = new Set(dateBuckets(iso(a)));
      for (let b = a - 600; b <= a + 600; b += 3) {
        const shares = dateBuckets(iso(b)).some((x) => mine.has(x));
        const inRange = iso(b) >= lo && iso(b) <= hi;
        if (shares !== inRange) throw new Error(`${iso(a)} vs ${iso(b)}: shares a bucket ${shares}, in range ${inRange}`);
      }
    }
  });

  it("keys an individual's name tokens with the birth date (one key per token, none without a date)", () => {
    const keys = registrantKeys({ kind: "INDIVIDUAL", givenName: "Amina", familyName: "Otieno", birthDate: "1990-04-02" });
    expect(keys.filter((k) => k.startsWith("b:")).sort()).toEqual(["b:AMN:1990-04-02", "b:ATN:1990-04-02"]);
    expect(keys.some((k) => k.startsWith("n:"))).toBe(false);
    expect(registrantKeys({ kind: "INDIVIDUAL", givenName: "Amina", familyName: "Otieno" }).some((k) => k.startsWith("b:"))).toBe(false);
  });

  it("time-ordered ids are UUIDs that sort by creation time", () => {
    const a = timeOrderedId(1_700_000_000_000);
    const b = timeOrderedId(1_700_000_000_001);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a < b).toBe(true);
  });
});

describe("deduplication through key ranges", () => {
  let sg: TestSubgraph;
  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
  });
  afterAll(() => sg.stop());

  it("stores exactly the pairs an in-memory comparison of every block finds", async () => {
    // Few names and dates close together: crowded blocks, shifted dates, swapped day/month, shared phones.
    const given = ["Amina", "Aminah", "Otieno", "Wanjiru", "Wanjiro"];
    const family = ["Otieno", "Odhiambo", "Kamau", "Kamau"];
    const rows = Array.from({ length: 160 }, (_, i) => ({
      source_id: `p${i}`,
      given_name: given[i % given.length],
      family_name: family[(i * 7) % family.length],
      birth_date: i % 9 === 0 ? `1990-0${1 + (i % 9)}-0${1 + (i % 5)}` : iso(Math.floor(Date.parse("1990-01-01") / DAY) + ((i * 37) % 400)),
      admin_area_code: `KE-0${10 + (i % 3)}`,
      phone: i % 4 === 0 ? `+2547120000${String(i % 20).padStart(2, "0")}` : "",
    }));
    const imp = dataOf(await sg.request(`mutation ($rows: JSON!) { importRegistrantsJson(rows: $rows) { id } }`, { rows }, registrar)).importRegistrantsJson;
    const row = (await sg.orm.em.fork().findOneOrFail("RegistryImport", imp.id)) as { jobId: string };
    await sg.jobs.waitFor(row.jobId, 60_000);

    const em = sg.orm.em.fork();
    const schema = process.env.DATABASE_URL ? '"registry".' : "";
    const people = (await em.getConnection().execute(
      `select id, given_name, family_name, other_names, birth_date, primary_phone, admin_area_code, admin_area_path from ${schema}registrant where kind = 'INDIVIDUAL'`,
    )) as Record<string, string | null>[];
    expect(people).toHaveLength(160);
    const items = people.map((p) => {
      const r = { id: String(p.id), givenName: p.given_name, familyName: p.family_name, otherNames: p.other_names, birthDate: p.birth_date, primaryPhone: p.primary_phone, adminAreaCode: p.admin_area_code };
      return { ...r, keys: registrantKeys({ kind: "INDIVIDUAL", ...r, adminAreaPath: p.admin_area_path }) };
    });
    const expected = pairsInMemory(items, DEFAULT_DEDUP).pairs.map((p) => `${p.a}|${p.b}`).sort();
    const stored = ((await em.getConnection().execute(`select registrant_a, registrant_b from ${schema}dedup_candidate`)) as { registrant_a: string; registrant_b: string }[])
      .map((c) => `${c.registrant_a}|${c.registrant_b}`)
      .sort();
    expect(expected.length).toBeGreaterThan(10);
    expect(stored).toEqual(expected);
  });

  it("the key migration turns n:<code>:<bucket> keys into b:<code>:<birth date> and drops them", async () => {
    const r = dataOf(
      await sg.request(`mutation { createRegistrant(input: { kind: INDIVIDUAL, givenName: "Zawadi", familyName: "Mwangi", birthDate: "1984-06-30" }) { id } }`, {}, registrar),
    ).createRegistrant;
    const em = sg.orm.em.fork();
    const pg = !!process.env.DATABASE_URL;
    const keyTable = pg ? '"registry"."registrant_key"' : "registrant_key";
    // The keys as the previous version wrote them.
    await em.getConnection().execute(`delete from ${keyTable} where registrant_id = ? and key like 'b:%'`, [r.id]);
    const codes = registrantKeys({ kind: "INDIVIDUAL", givenName: "Zawadi", familyName: "Mwangi" }).filter((k) => k.startsWith("p:")).map((k) => k.slice(2));
    for (const key of codes.flatMap((c) => dateBuckets("1984-06-30").map((b) => `n:${c}:${b}`))) await em.getConnection().execute(`insert into ${keyTable} (key, registrant_id) values (?, ?)`, [key, r.id]);
    const list = pg ? postgresql : sqlite;
    const latest = list.at(-1)!;
    const migration = new (latest.class as unknown as new (...a: unknown[]) => { up(): Promise<void>; getQueries(): string[] })(em.getDriver(), sg.orm.config);
    await migration.up();
    for (const q of migration.getQueries()) await em.getConnection().execute(String(q));
    const keys = ((await em.getConnection().execute(`select key from ${keyTable} where registrant_id = ? order by key`, [r.id])) as { key: string }[]).map((k) => k.key);
    const expected = registrantKeys({ kind: "INDIVIDUAL", givenName: "Zawadi", familyName: "Mwangi", birthDate: "1984-06-30" }).filter((k) => k.startsWith("b:")).sort();
    expect(expected).toHaveLength(2);
    expect(keys.filter((k) => /^[bn]:/.test(k))).toEqual(expected);
  });
});

describe("deduplication across writers in flight at the same time", () => {
  let sg: TestSubgraph;
  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
  });
  afterAll(() => sg.stop());

  it("a duplicate split across two uncommitted transactions is still found (the later reads the earlier's keys)", async () => {
    const actor = { viewer: { authenticated: true, sub: "test", roles: [], partnerId: null, programIds: [], can: () => true }, requestId: null, ip: null } as AuditActor;
    const person = (sourceId: string, givenName: string): IntakeUnit => ({
      rowNo: 1,
      source: RegistrationSource.JSON,
      members: [{ sourceId, data: { kind: RegistrantKind.INDIVIDUAL, givenName, familyName: "Chepkoech", birthDate: "1979-03-14", adminAreaCode: "KE-047", phones: ["+254712999001"] } }],
    });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let firstWritten!: () => void;
    const written = new Promise<void>((r) => (firstWritten = r));
    // A: writes and deduplicates, then holds its transaction open.
    const a = sg.orm.em.fork().transactional(async (tx) => {
      await writeUnits(tx, actor, [person("split-a", "Faith")], { dedup: true });
      firstWritten();
      await gate;
    });
    await written;
    // B: the same person with a typo, while A is not committed yet.
    const b = sg.orm.em.fork().transactional((tx) => writeUnits(tx, actor, [person("split-b", "Faithe")], { dedup: true }));
    await new Promise((r) => setTimeout(r, 300));
    release();
    await Promise.all([a, b]);
    const pairs = await sg.orm.em.fork().count(DedupCandidate, {});
    expect(pairs).toBe(1);
  });
});
