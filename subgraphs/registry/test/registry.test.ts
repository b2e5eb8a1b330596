import { AuditEntry, codesOf, dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";
import { searchTuning } from "../src/services/search.service";

const registrar = { role: "registrar" as const, sub: "registrar-1" };
const CREATE = /* GraphQL */ `mutation ($input: CreateRegistrantInput!) { createRegistrant(input: $input) { id kind givenName familyName birthDate sex phones adminAreaCode identifiers { type value } financialAddresses { kind iban msisdn } } }`;

async function waitImport(sg: TestSubgraph, id: string) {
  const imp = dataOf(await sg.request(`query ($id: ID!) { registryImport(id: $id) { id } }`, { id }, registrar)).registryImport;
  const row = await sg.orm.em.fork().findOneOrFail("RegistryImport", imp.id) as { jobId: string };
  await sg.jobs.waitFor(row.jobId, 30_000);
  return dataOf(
    await sg.request(
      `query ($id: ID!) { registryImport(id: $id) { id rowsStaged created updated unchanged failedRows highWatermark progress { status totalChunks doneChunks failedChunks error } issues(first: 100) { rowNo sourceId field reason message } } }`,
      { id },
      registrar,
    ),
  ).registryImport;
}

describe("registry: model, validation, search, imports, dedup", () => {
  let sg: TestSubgraph;
  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
    dataOf(await sg.request(`mutation { defineIdType(name: "NATIONAL_ID", pattern: "[0-9]{8}", description: "National ID") { name } }`, {}, registrar));
    dataOf(
      await sg.request(
        `mutation ($s: JSONObject!) { setExtraAttributesSchema(schema: $s) }`,
        { s: { type: "object", properties: { income: { type: "number", minimum: 0 }, assets: { type: "integer", minimum: 0 } }, additionalProperties: true } },
        registrar,
      ),
    );
  });
  afterAll(() => sg.stop());

  it("creates an individual with identifiers, phones and a financial address; personal data needs the permission", async () => {
    const { createRegistrant: r } = dataOf(
      await sg.request(
        CREATE,
        {
          input: {
            kind: "INDIVIDUAL", givenName: "Amina", familyName: "Odhiambo", birthDate: "1990-04-02", sex: "FEMALE", phones: ["0712 345678"], adminAreaCode: "KE-099-02", adminAreaPath: ["KE", "KE-099"],
            identifiers: [{ type: "national_id", value: "12345678" }], financialAddresses: [{ kind: "BANK_ACCOUNT", iban: "GB82 WEST 1234 5698 7654 32" }], extra: { income: 1200 },
          },
        },
        registrar,
      ),
    );
    expect(r).toMatchObject({ phones: ["+254712345678"], identifiers: [{ type: "NATIONAL_ID", value: "12345678" }], financialAddresses: [{ kind: "BANK_ACCOUNT", iban: "GB82WEST12345698765432", msisdn: null }] });
    const asPartner = await sg.request(`query ($id: ID!) { registrant(id: $id) { id sex adminAreaCode birthDate } }`, { id: r.id }, { role: "partner" });
    expect(codesOf(asPartner)).toEqual(["FORBIDDEN"]);
    expect(asPartner.data.registrant).toEqual({ id: r.id, sex: "FEMALE", adminAreaCode: "KE-099-02", birthDate: null });
  });

  it.each([
    [{ kind: "INDIVIDUAL", givenName: "A", phones: ["12"] }, "phones[0]", "INVALID_PHONE"],
    [{ kind: "INDIVIDUAL", givenName: "A", birthDate: "2999-01-01" }, "birthDate", "FUTURE_BIRTH_DATE"],
    [{ kind: "INDIVIDUAL", givenName: "A", birthDate: "1990-02-30" }, "birthDate", "INVALID_FORMAT"],
    [{ kind: "INDIVIDUAL", givenName: "A", financialAddresses: [{ kind: "BANK_ACCOUNT", iban: "GB82WEST12345698765433" }] }, "financialAddresses[0].iban", "INVALID_IBAN"],
    [{ kind: "INDIVIDUAL", givenName: "A", financialAddresses: [{ kind: "MOBILE_MONEY", msisdn: "abc" }] }, "financialAddresses[0].msisdn", "INVALID_PHONE"],
    [{ kind: "INDIVIDUAL", givenName: "A", identifiers: [{ type: "NATIONAL_ID", value: "12AB" }] }, "identifiers[0].value", "IDENTIFIER_PATTERN"],
    [{ kind: "INDIVIDUAL", givenName: "A", identifiers: [{ type: "PASSPORT", value: "X1" }] }, "identifiers[0].type", "UNKNOWN_ID_TYPE"],
    [{ kind: "INDIVIDUAL", givenName: "A", extra: { income: -5 } }, "extra.income", "EXTRA_SCHEMA"],
  ])("refuses %j: %s %s, writing nothing", async (input, field, reason) => {
    const before = await sg.orm.em.fork().count(AuditEntry, {});
    const res = await sg.request(CREATE, { input }, registrar);
    expect(codesOf(res)).toEqual(["BAD_USER_INPUT"]);
    expect(res.errors![0]!.extensions).toMatchObject({ field, reason });
    expect(await sg.orm.em.fork().count(AuditEntry, {})).toBe(before);
  });

  it("keeps one value per identifier type and one holder per value (exact duplicate -> CONFLICT)", async () => {
    const res = await sg.request(CREATE, { input: { kind: "INDIVIDUAL", givenName: "Other", identifiers: [{ type: "NATIONAL_ID", value: "12345678" }] } }, registrar);
    expect(codesOf(res)).toEqual(["CONFLICT"]);
    expect(res.errors![0]!.extensions!.reason).toBe("IDENTIFIER_TAKEN");
  });

  it("households: one HEAD per group, memberships both ways; updates audited into the registrant's history", async () => {
    const hh = dataOf(await sg.request(`mutation { createRegistrant(input: { kind: GROUP, groupName: "Mutua household", groupKind: HOUSEHOLD }) { id } }`, {}, registrar)).createRegistrant.id;
    const head = dataOf(await sg.request(CREATE, { input: { kind: "INDIVIDUAL", givenName: "Daudi", familyName: "Mutua", groupId: hh, role: "head" } }, registrar)).createRegistrant.id;
    const second = await sg.request(CREATE, { input: { kind: "INDIVIDUAL", givenName: "Pendo", familyName: "Mutua", groupId: hh, role: "HEAD" } }, registrar);
    expect(codesOf(second)).toEqual(["BAD_USER_INPUT"]);
    expect(second.errors![0]!.extensions!.reason).toBe("SECOND_HEAD");
    dataOf(await sg.request(CREATE, { input: { kind: "INDIVIDUAL", givenName: "Pendo", familyName: "Mutua", groupId: hh, role: "SPOUSE" } }, registrar));
    const upd = await sg.request(`mutation ($id: ID!) { updateRegistrant(id: $id, input: { birthDate: "1970-01-31", phones: ["+254700000001"] }) { birthDate phones } }`, { id: head }, registrar);
    expect(dataOf(upd).updateRegistrant).toEqual({ birthDate: "1970-01-31", phones: ["+254700000001"] });
    const q = dataOf(
      await sg.request(
        `query ($id: ID!, $p: ID!) { registrant(id: $id) { members { role individual { givenName } } } head: registrant(id: $p) { memberships { role group { groupName } } history { action actor changes } } }`,
        { id: hh, p: head },
        registrar,
      ),
    );
    expect(q.registrant.members.map((m: any) => [m.role, m.individual.givenName])).toEqual([["HEAD", "Daudi"], ["SPOUSE", "Pendo"]]);
    expect(q.head.memberships).toEqual([{ role: "HEAD", group: { groupName: "Mutua household" } }]);
    expect(q.head.history.map((h: any) => h.action)).toEqual(["registrant.create", "registrant.membership.add", "registrant.update"]);
    expect(q.head.history[2].changes.birthDate).toEqual({ from: null, to: "1970-01-31" });
    const proc = dataOf(await sg.request(`{ registrantsForProcessing(first: 1000, kind: GROUP) { nodes { id members { id role } } } }`, {}, { role: "service" }));
    const node = proc.registrantsForProcessing.nodes.find((n: any) => n.id === hh);
    expect(node.members.map((m: any) => m.role)).toEqual(["HEAD", "SPOUSE"]);
  });

  it("CSV import: bad rows reported with row/field/reason, good rows land, re-import is idempotent", async () => {
    const csv = [
      "source_id,household_id,role,given_name,family_name,birth_date,sex,phone,admin_area_code,id_type,id_value,extra.income",
      "c1,h1,head,Juma,Kariuki,1980-05-01,male,0722000001,KE-041-01,NATIONAL_ID,20000001,300",
      "c2,h1,spouse,Rehema,Kariuki,1984-07-09,female,,KE-041-01,NATIONAL_ID,20000002,",
      "c3,h1,head,Salim,Kariuki,2001-01-01,male,,KE-041-01,,,", // second head
      "c4,,,Otieno,Ouma,2999-01-01,male,,KE-041-02,,,", // future birth date
      "c5,,,Wanjiru,Maina,1999-09-09,female,12345,KE-041-02,,,", // bad phone
      ",,,No,Source,1999-09-09,female,,KE-041-02,,,", // no source id
      "c7,,,Imani,Kibet,1995-03-03,female,,KE-041-02,NATIONAL_ID,12345678,", // identifier of another registrant
      "c8,,,Faith,Wafula,1992-12-12,female,,KE-041-02,,,abc",
    ].join("\n");
    const run = async () => {
      const imp = dataOf(await sg.request(`mutation ($csv: String!) { importRegistrantsCsv(csv: $csv) { id rowsStaged } }`, { csv }, registrar)).importRegistrantsCsv;
      expect(imp.rowsStaged).toBe(8);
      return waitImport(sg, imp.id);
    };
    const first = await run();
    expect(first.progress).toMatchObject({ status: "COMPLETED", error: null });
    expect(first.issues.map((i: any) => [i.rowNo, i.field, i.reason])).toEqual([
      [3, "members[0].role", "SECOND_HEAD"],
      [4, "birthDate", "FUTURE_BIRTH_DATE"],
      [5, "phones[0]", "INVALID_PHONE"],
      [6, "source_id", "REQUIRED"],
      [7, "identifiers[0].value", "IDENTIFIER_TAKEN"],
      [8, "extra.income", "EXTRA_SCHEMA"],
    ]);
    expect(first).toMatchObject({ failedRows: 6, created: 3 }); // household + 2 people
    const second = await run();
    expect(second).toMatchObject({ created: 0, failedRows: 6 });
    const found = dataOf(await sg.request(`{ registrants(filter: { identifierType: "NATIONAL_ID", identifierValue: "20000001" }) { totalCount nodes { givenName sourceId memberships { role } history { action changes } } } }`, {}, registrar)).registrants;
    expect(found).toMatchObject({ totalCount: 1, nodes: [{ givenName: "Juma", sourceId: "c1", memberships: [{ role: "HEAD" }] }] });
    // One audit line for the imported member: its creation, with the membership it was created into.
    expect(found.nodes[0].history.map((h: any) => h.action)).toEqual(["registrant.create"]);
    expect(found.nodes[0].history[0].changes).toMatchObject({ source: "CSV", sourceId: "c1", givenName: "Juma", membership: { role: "HEAD" } });
    expect(found.nodes[0].history[0].changes.membership.groupId).toEqual(expect.any(String));
    expect(await sg.orm.em.fork().count("Registrant", { source: "CSV" })).toBe(3);
  });

  it("JSON import of rows; a malformed upload is refused up front", async () => {
    const imp = dataOf(
      await sg.request(`mutation ($rows: JSON!) { importRegistrantsJson(rows: $rows) { id } }`, { rows: [{ source_id: "j1", given_name: "Lucy", family_name: "Owino", birth_date: "2001-02-03", sex: "F" }, { source_id: "j2", given_name: "" }] }, registrar),
    ).importRegistrantsJson;
    const done = await waitImport(sg, imp.id);
    expect(done).toMatchObject({ created: 1, failedRows: 1, progress: { error: null } });
    expect(done.issues[0]).toMatchObject({ rowNo: 2, sourceId: "j2", field: "givenName", reason: "REQUIRED" });
    expect(codesOf(await sg.request(`mutation { importRegistrantsJson(rows: {a: 1}) { id } }`, {}, registrar))).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await sg.request(`mutation { importRegistrantsCsv(csv: "a,b\\n1,2,3") { id } }`, {}, registrar))).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await sg.request(`mutation { importRegistrantsCsv(csv: "a") { id } }`, {}, { role: "partner" }))).toEqual(["FORBIDDEN"]);
  });

  it("search: fuzzy names (typos, swapped order), area subtree, age range, sort by name, stats", async () => {
    const fuzzy = dataOf(await sg.request(`{ registrants(filter: { name: "Odiambo Ameena" }) { totalCount nodes { givenName familyName } } }`, {}, registrar)).registrants;
    expect(fuzzy.nodes).toContainEqual({ givenName: "Amina", familyName: "Odhiambo" });
    const exact = dataOf(await sg.request(`{ registrants(filter: { name: "Odiambo", fuzzy: false }) { totalCount } }`, {}, registrar)).registrants;
    expect(exact.totalCount).toBe(0);
    const exactHit = dataOf(await sg.request(`{ registrants(filter: { name: "odhiambo AMINA", fuzzy: false }) { nodes { givenName familyName } } }`, {}, registrar)).registrants;
    expect(exactHit.nodes).toContainEqual({ givenName: "Amina", familyName: "Odhiambo" });
    // Same phonetic code as "Amina", another spelling: found fuzzily, not exactly.
    expect(dataOf(await sg.request(`{ registrants(filter: { name: "Odhiambo Aminah", fuzzy: false }) { totalCount } }`, {}, registrar)).registrants.totalCount).toBe(0);
    const area = dataOf(await sg.request(`{ registrants(filter: { adminArea: "KE-099" }) { nodes { givenName adminAreaCode } } }`, {}, registrar)).registrants;
    expect(area.nodes).toEqual([{ givenName: "Amina", adminAreaCode: "KE-099-02" }]);
    const ages = dataOf(await sg.request(`{ registrants(first: 1000, filter: { ageMin: 30, ageMax: 40, kind: INDIVIDUAL }) { nodes { birthDate } } }`, {}, registrar)).registrants.nodes;
    const today = new Date();
    for (const n of ages) {
      const age = today.getUTCFullYear() - Number(n.birthDate.slice(0, 4)) - (today.toISOString().slice(5, 10) < n.birthDate.slice(5, 10) ? 1 : 0);
      expect(age).toBeGreaterThanOrEqual(30);
      expect(age).toBeLessThanOrEqual(40);
    }
    expect(ages.length).toBeGreaterThan(0);
    const sorted = dataOf(await sg.request(`{ registrants(first: 20, sort: NAME, kind: INDIVIDUAL) { nodes { familyName } pageInfo { endCursor } } }`, {}, registrar)).registrants;
    const names = sorted.nodes.map((n: any) => (n.familyName ?? "").toLowerCase());
    expect(names).toEqual([...names].sort());
    expect(codesOf(await sg.request(`{ registrants(filter: { name: "Amina" }) { totalCount } }`, {}, { role: "partner" }))).toEqual(["FORBIDDEN"]);
    // totalCount is counted only when selected: a page alone is one statement (plus, with an area
    // filter, a capped count of the area's key rows that picks the query shape).
    sg.sql.length = 0;
    dataOf(await sg.request(`{ registrants(first: 5, filter: { kind: INDIVIDUAL }) { nodes { id } } }`, {}, registrar));
    expect(sg.sql.filter((x) => /^\s*select/i.test(x))).toHaveLength(1);
    sg.sql.length = 0;
    dataOf(await sg.request(`{ registrants(first: 5, filter: { adminArea: "KE" }) { totalCount nodes { id } } }`, {}, registrar));
    expect(sg.sql.filter((x) => /^\s*select/i.test(x))).toHaveLength(3);
    // Both query shapes (narrow area: IN over its keys; broad area: EXISTS along the sort order) agree.
    const areaPages = async () => {
      const ids: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: any = dataOf(await sg.request(`query ($a: String) { registrants(first: 2, after: $a, filter: { adminArea: "KE-041-01" }) { nodes { id } pageInfo { hasNextPage endCursor } } }`, { a: after }, registrar)).registrants;
        ids.push(...page.nodes.map((x: any) => x.id));
        if (!page.pageInfo.hasNextPage) return ids;
        after = page.pageInfo.endCursor;
      }
    };
    const narrow = await areaPages();
    searchTuning.broadArea = 1;
    try {
      sg.sql.length = 0;
      expect(await areaPages()).toEqual(narrow);
      // EXISTS on SQLite, a scalar subquery on PostgreSQL: a probe of the area key per row.
      expect(sg.sql.some((x) => /\(select 1 from \S+ k where k\.key = /i.test(x))).toBe(true);
    } finally {
      searchTuning.broadArea = 2000;
    }
    expect(narrow.length).toBeGreaterThan(2);
    // An age band is read through the birth-date index (few) or along the sort order (many): same answer.
    const agePages = async () => {
      const ids: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: any = dataOf(await sg.request(`query ($a: String) { registrants(first: 2, after: $a, filter: { ageMin: 18, ageMax: 70 }) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`, { a: after }, registrar)).registrants;
        ids.push(...page.nodes.map((x: any) => x.id));
        if (!page.pageInfo.hasNextPage) return { ids, total: page.totalCount as number };
        after = page.pageInfo.endCursor;
      }
    };
    const fewAges = await agePages();
    searchTuning.broadArea = 1;
    try {
      sg.sql.length = 0;
      expect(await agePages()).toEqual(fewAges);
      if (!process.env.DATABASE_URL) expect(sg.sql.some((x) => /\+r\.birth_date/.test(x))).toBe(true);
    } finally {
      searchTuning.broadArea = 2000;
    }
    expect(fewAges.ids.length).toBeGreaterThan(2);
    expect(fewAges.total).toBe(fewAges.ids.length);
    const stats = dataOf(await sg.request(`{ registrantStats { total byKind { key count } bySex { key count } byAgeBand { key count } byArea { key count } } }`, {}, { role: "partner" })).registrantStats;
    expect(stats.byKind.reduce((s: number, b: any) => s + b.count, 0)).toBe(stats.total);
    expect(stats.byAgeBand.map((b: any) => b.key)).toEqual(expect.arrayContaining(["18-59"]));
  });

  it("lists 1,000 registrants with memberships, identifiers and financial addresses in as many queries as 10", async () => {
    const rows = Array.from({ length: 150 }, (_, i) => ({
      source_id: `bulk-${i}`, household_id: `bh-${Math.floor(i / 3)}`, role: i % 3 === 0 ? "HEAD" : "CHILD", given_name: `Given${String.fromCharCode(97 + (i % 26))}${i}`,
      family_name: `Family${Math.floor(i / 3)}`, birth_date: `19${50 + (i % 49)}-01-15`, "id.NATIONAL_ID": String(40000000 + i), mobile_money: `+2547${String(20000000 + i)}`,
    }));
    const imp = dataOf(await sg.request(`mutation ($rows: JSON!) { importRegistrantsJson(rows: $rows) { id } }`, { rows }, registrar)).importRegistrantsJson;
    expect(await waitImport(sg, imp.id)).toMatchObject({ created: 200, failedRows: 0 });
    const q = `query ($n: Int!) { registrants(first: $n, kind: INDIVIDUAL) { nodes { id identifiers { value } financialAddresses { kind } memberships { role group { groupName } } } } }`;
    const count = async (n: number) => {
      sg.sql.length = 0;
      const nodes = dataOf(await sg.request(q, { n }, registrar)).registrants.nodes;
      return { rows: nodes.length, queries: sg.sql.filter((s) => /^\s*select/i.test(s)).length };
    };
    const small = await count(10);
    const big = await count(1000);
    expect(small.rows).toBe(10);
    expect(big.rows).toBeGreaterThan(150);
    expect(big.queries).toBe(small.queries);
  });

  it("dedup: fuzzy candidates with reasons; merge folds identifiers into the survivor; dismiss; both audited", async () => {
    const mk = async (input: Record<string, unknown>) => dataOf(await sg.request(CREATE, { input: { kind: "INDIVIDUAL", ...input } }, registrar)).createRegistrant.id as string;
    const a = await mk({ givenName: "Catherine", familyName: "Njoroge", birthDate: "1975-06-10", adminAreaCode: "KE-030-01", identifiers: [{ type: "NATIONAL_ID", value: "30000001" }] });
    const b = await mk({ givenName: "Njoroge", familyName: "Katherine", birthDate: "1975-06-14", adminAreaCode: "KE-030-01", phones: ["+254733000001"] });
    const c = await mk({ givenName: "Catherine", familyName: "Njorge", birthDate: "1975-06-10", adminAreaCode: "KE-030-01" });
    const cands = dataOf(await sg.request(`{ dedupCandidates(first: 500, minScore: 0.86) { id score reasons registrantA registrantB } }`, {}, registrar)).dedupCandidates
      .filter((x: any) => [a, b, c].includes(x.registrantA) && [a, b, c].includes(x.registrantB));
    expect(cands.length).toBe(3);
    for (const x of cands) expect(x.score).toBeGreaterThanOrEqual(0.86);
    expect(cands[0].reasons.join(" ")).toMatch(/name/);
    const ab = cands.find((x: any) => [x.registrantA, x.registrantB].sort().join() === [a, b].sort().join());
    const merged = dataOf(await sg.request(`mutation ($id: ID!, $s: ID) { mergeDuplicate(candidateId: $id, survivorId: $s) { status } }`, { id: ab.id, s: b }, registrar)).mergeDuplicate;
    expect(merged.status).toBe("CONFIRMED");
    const survivor = dataOf(await sg.request(`query ($id: ID!) { registrant(id: $id) { identifiers { value } birthDate history { action } } }`, { id: b }, registrar)).registrant;
    expect(survivor.identifiers).toEqual([{ value: "30000001" }]);
    expect(survivor.history.map((h: any) => h.action)).toContain("registrant.merge");
    const gone = dataOf(await sg.request(`query ($id: ID!) { registrant(id: $id) { status mergedIntoId } }`, { id: a }, registrar)).registrant;
    expect(gone).toEqual({ status: "MERGED", mergedIntoId: b });
    const again = await sg.request(`mutation ($id: ID!) { mergeDuplicate(candidateId: $id) { status } }`, { id: ab.id }, registrar);
    expect(codesOf(again)).toEqual(["CONFLICT"]);
    const bc = cands.find((x: any) => [x.registrantA, x.registrantB].sort().join() === [b, c].sort().join());
    expect(dataOf(await sg.request(`mutation ($id: ID!) { dismissDuplicate(candidateId: $id) { status } }`, { id: bc.id }, registrar)).dismissDuplicate.status).toBe("DISMISSED");
    expect(codesOf(await sg.request(`{ dedupCandidates { id } }`, {}, { role: "partner" }))).toEqual(["FORBIDDEN"]);
  });
});
