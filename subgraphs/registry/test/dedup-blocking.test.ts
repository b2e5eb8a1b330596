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

  it("keys an individual's name tokens with the birth date and the other token's first and last letter (none without a date)", () => {
    const keys = registrantKeys({ kind: "INDIVIDUAL", givenName: "Amina", familyName: "Otieno", birthDate: "1990-04-02" });
    expect(keys.filter((k) => k.startsWith("b:")).sort()).toEqual(["b:AMN:O:1990-04-02", "b:AMN:o:1990-04-02", "b:ATN:A:1990-04-02", "b:ATN:a:1990-04-02"]);
    // Swapped names hold the same keys; a single token keeps an empty letter.
    expect(registrantKeys({ kind: "INDIVIDUAL", givenName: "Otieno", familyName: "Amina", birthDate: "1990-04-02" }).filter((k) => k.startsWith("b:")).sort()).toEqual(["b:AMN:O:1990-04-02", "b:AMN:o:1990-04-02", "b:ATN:A:1990-04-02", "b:ATN:a:1990-04-02"]);
    expect(registrantKeys({ kind: "INDIVIDUAL", givenName: "Wanjiru", birthDate: "1990-04-02" }).filter((k) => k.startsWith("b:"))).toEqual(["b:WNJR::1990-04-02"]);
    expect(keys.some((k) => /^[nt]:/.test(k))).toBe(false);
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

  it("the key migration rebuilds b:<code>:<date> keys as b:<code>:<letter>:<date> and drops t: keys", async () => {
    const people = [
      { givenName: "Zawadi", familyName: "Mwangi", birthDate: "1984-06-30" },
      { givenName: "Kiprono", familyName: null, birthDate: "1971-02-03" },
      { givenName: "Achieng", familyName: "Odhiambo", otherNames: "Grace", birthDate: "1999-11-12" },
    ];
    const em = sg.orm.em.fork();
    const pg = !!process.env.DATABASE_URL;
    const keyTable = pg ? '"registry"."registrant_key"' : "registrant_key";
    const ids: string[] = [];
    for (const p of people) {
      const r = dataOf(await sg.request(`mutation ($i: CreateRegistrantInput!) { createRegistrant(input: $i) { id } }`, { i: { kind: "INDIVIDUAL", ...p } }, registrar)).createRegistrant;
      ids.push(r.id);
      // The keys as the previous version wrote them: one b:<code>:<date> per token, t:<token> keys.
      await em.getConnection().execute(`delete from ${keyTable} where registrant_id = ? and key like 'b:%'`, [r.id]);
      const codes = registrantKeys({ kind: "INDIVIDUAL", ...p }).filter((k) => k.startsWith("p:")).map((k) => k.slice(2));
      for (const key of [...codes.map((c) => `b:${c}:${p.birthDate}`), "t:zawadi"]) await em.getConnection().execute(`insert into ${keyTable} (key, registrant_id) values (?, ?)`, [key, r.id]);
    }
    const list = pg ? postgresql : sqlite;
    const latest = list.at(-1)!;
    const migration = new (latest.class as unknown as new (...a: unknown[]) => { up(): Promise<void>; getQueries(): string[] })(em.getDriver(), sg.orm.config);
    await migration.up();
    for (const q of migration.getQueries()) await em.getConnection().execute(String(q));
    for (const [i, p] of people.entries()) {
      const keys = ((await em.getConnection().execute(`select key from ${keyTable} where registrant_id = ? order by key`, [ids[i]])) as { key: string }[]).map((k) => k.key);
      const expected = registrantKeys({ kind: "INDIVIDUAL", ...p }).sort();
      expect(expected.filter((k) => k.startsWith("b:")).length).toBe([4, 1, 12][i]); // 3 tokens: 6 ordered pairs, first and last letter each
      expect(keys).toEqual(expected);
    }
  });
});

describe("key rows follow every change exactly (deleted by primary key, no registrant_id index)", () => {
  let sg: TestSubgraph;
  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
  });
  afterAll(() => sg.stop());

  it("after an update, a re-import and a merge, a registrant's key rows are exactly registrantKeys of its values", async () => {
    const pg = !!process.env.DATABASE_URL;
    const schema = pg ? '"registry".' : "";
    const em = () => sg.orm.em.fork();
    const stored = async (id: string) => ((await em().getConnection().execute(`select key from ${schema}registrant_key where registrant_id = ? order by key`, [id])) as { key: string }[]).map((k) => k.key);
    const expected = async (id: string) => {
      const [r] = (await em().getConnection().execute(`select * from ${schema}registrant where id = ?`, [id])) as Record<string, string | null>[];
      return registrantKeys({ kind: r!.kind as "INDIVIDUAL", givenName: r!.given_name, familyName: r!.family_name, otherNames: r!.other_names, birthDate: r!.birth_date, adminAreaCode: r!.admin_area_code, adminAreaPath: r!.admin_area_path, primaryPhone: r!.primary_phone }).sort();
    };
    const a = dataOf(await sg.request(`mutation { createRegistrant(input: { kind: INDIVIDUAL, givenName: "Baraka", familyName: "Njoroge", birthDate: "1988-02-11", adminAreaCode: "KE-047", phones: ["+254712300001"] }) { id } }`, {}, registrar)).createRegistrant.id;
    dataOf(await sg.request(`mutation ($id: ID!) { updateRegistrant(id: $id, input: { familyName: "Kariuki", birthDate: "1989-03-12", phones: ["+254712300002"] }) { id } }`, { id: a }, registrar));
    expect(await stored(a)).toEqual(await expected(a));
    expect((await stored(a)).some((k) => k.includes("NJRJ") || k.includes("1988-02-11") || k.includes("300001"))).toBe(false);

    // An import re-delivering a submission with new values rewrites its keys.
    const importRows = async (rows: object[]) => {
      const imp = dataOf(await sg.request(`mutation ($rows: JSON!) { importRegistrantsJson(rows: $rows) { id } }`, { rows }, registrar)).importRegistrantsJson;
      const row = (await em().findOneOrFail("RegistryImport", imp.id)) as { jobId: string };
      await sg.jobs.waitFor(row.jobId, 60_000);
    };
    await importRows([{ source_id: "k-1", given_name: "Baraka", family_name: "Kariuki", birth_date: "1989-03-12", admin_area_code: "KE-047" }]);
    const [{ id: b }] = (await em().getConnection().execute(`select id from ${schema}registrant where source_id = 'k-1'`)) as { id: string }[];
    await importRows([{ source_id: "k-1", given_name: "Barack", family_name: "Kariuki", birth_date: "1989-03-13", admin_area_code: "KE-048" }]);
    expect(await stored(b!)).toEqual(await expected(b!));
    expect((await stored(b!)).some((k) => k.includes("KE-047"))).toBe(false);

    // Merge: the absorbed registrant keeps no key rows, the survivor holds its own (filled) values' keys.
    const [cand] = (await em().getConnection().execute(`select id, registrant_a, registrant_b from ${schema}dedup_candidate where (registrant_a = ? and registrant_b = ?) or (registrant_a = ? and registrant_b = ?)`, [a, b, b, a])) as { id: string }[];
    expect(cand).toBeDefined();
    dataOf(await sg.request(`mutation ($id: ID!, $s: ID) { mergeDuplicate(candidateId: $id, survivorId: $s) { status } }`, { id: cand!.id, s: a }, registrar));
    expect(await stored(b!)).toEqual([]);
    expect(await stored(a)).toEqual(await expected(a));
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
