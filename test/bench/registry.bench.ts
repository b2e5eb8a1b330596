/**
 * `npm run bench -- registry [import|dedup|search|processing|all] [--n N]`   (PostgreSQL with DATABASE_URL set)
 *
 * The issue's targets are the defaults: `import` 100,000 submissions (<= 60 s), `search` over
 * 1,000,000 registrants (page of 50, p95 <= 50 ms). `--n` shrinks a run (then say so when quoting it).
 *
 * import: N ODK-shaped household submissions (1-5 members each) served by the ODK Central simulator
 *         (pages of 1,000 via @odata.nextLink), pulled by importFromOdkCentral and processed as a job
 *         with validation and fuzzy deduplication on. Wall time from the mutation to COMPLETED.
 *         `BULK_SQL_TIMING=1` adds the chunks' time per SQL statement shape to the notes.
 * dedup:  N synthetic people in households plus 10% injected duplicates (typos, swapped given/family
 *         names, birth dates shifted by 1-30 days, and combinations; a typo may hit any letter, the
 *         first included), imported as JSON; the candidate
 *         pairs the registry stored are compared with the truth: precision and recall.
 * processing: N registrants seeded at SQL level (as for search), then every page of the service-role
 *         bulk stream `registrantsForProcessing` (the selection eligibility's evaluation job asks for,
 *         pages of `--page`, default 5,000) read over HTTP from the subgraph: the registry's own cost
 *         of feeding a whole-population evaluation (eligibility's benchmark uses a simulator for it).
 * search: N registrants seeded at SQL level (rows + keys, multi-row INSERTs, bypassing the job; see
 *         seedRegistrants), then filtered pages of 50
 *         (area subtree, fuzzy name, age band + sex, extra attribute, name + area), each with
 *         totalCount, over HTTP against the subgraph: p50 / p95 per filter.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { bulkSql, bulkSqlTimings, registrantKeys, subgraph } from "@g2p/registry";
import { FAMILY, GIVEN, householdSubmission, HOUSEHOLD_MAPPING, rng, startOdkCentralSimulator } from "../simulators/odk-central";

type Row = Record<string, string | number>;
const registrar = { role: "registrar" as const, sub: "bench" };
const arg = (args: string[], name: string, d: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const dialect = () => (process.env.DATABASE_URL ? "postgresql" : "sqlite");
/** The machine's load while the benchmark ran (shared machines: read every figure with it). */
const loadNote = () => `load average ${os.loadavg().map((l) => l.toFixed(1)).join(" / ")} (1/5/15 min) on ${os.cpus().length} cores at the end of the run`;

async function waitImport(sg: TestSubgraph, importId: string, timeoutMs: number) {
  const row = (await sg.orm.em.fork().findOneOrFail("RegistryImport" as never, { id: importId } as never)) as { jobId: string };
  await sg.jobs.waitFor(row.jobId, timeoutMs);
  // A keep-alive socket left idle while a long synchronous SQLite statement ran can be reset: retry.
  for (let attempt = 1; ; attempt++) {
    try {
      return dataOf(await sg.request(`query ($id: ID!) { registryImport(id: $id) { rowsStaged created updated failedRows progress { status totalChunks error } } }`, { id: importId }, registrar)).registryImport;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

async function benchImport(n: number): Promise<{ rows: Row[]; notes: string[] }> {
  const odk = await startOdkCentralSimulator();
  odk.addForm(1, "households", ["members"]);
  const subs = Array.from({ length: n }, (_, i) => householdSubmission(i));
  const people = subs.reduce((s, x) => s + (x.members as unknown[]).length, 0);
  odk.addSubmissions(1, "households", subs);
  // A SQLite file in WAL mode, as a deployment runs it (an in-memory database keeps the whole registry
  // on the process's heap: 4 GB at 100,000 submissions).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "g2p-registry-bench-"));
  const sg = await startTestSubgraph(subgraph, { LOG_LEVEL: "silent" }, { recordSql: false, sqlitePath: path.join(dir, "registry.sqlite") });
  try {
    dataOf(await sg.request(`mutation { defineIdType(name: "NATIONAL_ID", pattern: "[0-9]{8}") { name } }`, {}, registrar));
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    const imp = dataOf(
      await sg.request(`mutation ($i: OdkImportInput!) { importFromOdkCentral(input: $i) { id } }`, { i: { baseUrl: odk.url, projectId: 1, formId: "households", email: "collector@example.org", password: "secret-password", mapping: HOUSEHOLD_MAPPING, pageSize: 1000 } }, registrar),
    ).importFromOdkCentral;
    const done = await waitImport(sg, imp.id, 30 * 60_000);
    const seconds = (Date.now() - t0) / 1000;
    const used = process.cpuUsage(cpu0);
    const cpuSeconds = (used.user + used.system) / 1e6;
    const candidates = await sg.orm.em.fork().count("DedupCandidate", {});
    return {
      rows: [{ benchmark: "import", dialect: dialect(), submissions: n, registrants: done.created, people, failedRows: done.failedRows, status: done.progress.status, seconds: Number(seconds.toFixed(1)), "submissions/s": Math.round(n / seconds), "CPU s (this process)": Number(cpuSeconds.toFixed(1)), dedupCandidates: candidates }],
      notes: [
        `import of ${n} ODK submissions (${people} people + ${n} households) with validation and dedup: ${seconds.toFixed(1)} s on ${dialect()}, ${cpuSeconds.toFixed(1)} s of CPU in the bench process (registry + ODK simulator) (target: 100,000 in <= 60 s)`,
        loadNote(),
        // BULK_SQL_TIMING=1: where the chunks' database time went, statement by statement.
        ...bulkSqlTimings().slice(0, 12).map((t) => `SQL ${String(t.ms).padStart(7)} ms ${String(t.calls).padStart(6)}x ${t.statement}`),
      ],
    };
  } finally {
    await sg.stop();
    await odk.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One keystroke error anywhere in the name, the first letter included (blocking keys lean on it). */
function typo(s: string, r: () => number): string {
  if (s.length < 4) return s + "a";
  const i = Math.floor(r() * (s.length - 1));
  const k = Math.floor(r() * 3);
  if (k === 0) return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2); // transposition
  if (k === 1) return s.slice(0, i) + s.slice(i + 1); // deletion
  return s.slice(0, i) + "aeiou"[Math.floor(r() * 5)] + s.slice(i + 1); // substitution
}

function shift(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Synthetic people and injected duplicates; `truth` holds "sourceA|sourceB" for every real duplicate pair. */
export function syntheticPeople(n: number, seed = 7) {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const hh = Math.floor(i / 4);
    const family = i % 4 === 0 || r() < 0.2 ? pick(FAMILY) : (rows[i - 1]!.family_name as string);
    rows.push({
      source_id: `p${i}`,
      household_id: `h${hh}`,
      role: i % 4 === 0 ? "HEAD" : "MEMBER",
      given_name: pick(GIVEN),
      family_name: family,
      birth_date: `${1940 + Math.floor(r() * 80)}-${String(1 + Math.floor(r() * 12)).padStart(2, "0")}-${String(1 + Math.floor(r() * 28)).padStart(2, "0")}`,
      sex: r() < 0.5 ? "F" : "M",
      phone: r() < 0.4 ? `+2547${String(10000000 + Math.floor(r() * 89999999))}` : "",
      admin_area_code: `KE-0${10 + (hh % 45)}`,
    });
  }
  const truth = new Set<string>();
  const clusters = new Map<string, string[]>();
  const kinds: Record<string, number> = {};
  const dups = Math.round(n * 0.1);
  for (let d = 0; d < dups; d++) {
    const o = rows[Math.floor(r() * n)]!;
    const x: Record<string, unknown> = { ...o, source_id: `d${d}`, household_id: `dh${d}`, role: "HEAD", phone: r() < 0.5 ? o.phone : "" };
    const kind = ["typo", "swap", "shift", "typo+shift", "swap+typo"][d % 5]!;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    if (kind.includes("typo")) {
      if (r() < 0.5) x.given_name = typo(String(o.given_name), r);
      else x.family_name = typo(String(o.family_name), r);
    }
    if (kind.includes("swap")) [x.given_name, x.family_name] = [x.family_name, x.given_name];
    if (kind.includes("shift")) x.birth_date = shift(String(o.birth_date), (1 + Math.floor(r() * 30)) * (r() < 0.5 ? -1 : 1));
    rows.push(x);
    // Every pair within a cluster (the original and all its copies) is a true duplicate.
    const cluster = clusters.get(String(o.source_id)) ?? clusters.set(String(o.source_id), [String(o.source_id)]).get(String(o.source_id))!;
    for (const a of cluster) {
      const b = String(x.source_id);
      truth.add(a < b ? `${a}|${b}` : `${b}|${a}`);
    }
    cluster.push(String(x.source_id));
  }
  return { rows, truth, kinds, dups };
}

async function benchDedup(n: number): Promise<{ rows: Row[]; notes: string[] }> {
  const { rows, truth, kinds, dups } = syntheticPeople(n);
  const sg = await startTestSubgraph(subgraph, { LOG_LEVEL: "silent" }, { recordSql: false });
  try {
    const t0 = Date.now();
    // Subgraph request bodies are capped at 1 MB (kit): upload in parts of 2,500 rows, imported one after another.
    let failedRows = 0;
    for (let i = 0; i < rows.length; i += 2500) {
      const imp = dataOf(await sg.request(`mutation ($rows: JSON!) { importRegistrantsJson(rows: $rows) { id } }`, { rows: rows.slice(i, i + 2500) }, registrar)).importRegistrantsJson;
      failedRows += (await waitImport(sg, imp.id, 30 * 60_000)).failedRows;
    }
    const seconds = (Date.now() - t0) / 1000;
    const em = sg.orm.em.fork();
    const regs = (await em.getConnection().execute(`select id, source_id from ${process.env.DATABASE_URL ? '"registry".' : ""}registrant where kind = 'INDIVIDUAL'`)) as { id: string; source_id: string }[];
    const src = new Map(regs.map((x) => [x.id, x.source_id]));
    const cands = (await em.getConnection().execute(`select registrant_a, registrant_b from ${process.env.DATABASE_URL ? '"registry".' : ""}dedup_candidate`)) as { registrant_a: string; registrant_b: string }[];
    const found = new Set(cands.map((c) => [src.get(c.registrant_a)!, src.get(c.registrant_b)!].sort().join("|")));
    let tp = 0;
    for (const p of found) if (truth.has(p)) tp++;
    const precision = found.size ? tp / found.size : 0;
    const recall = tp / truth.size;
    return {
      rows: [{ benchmark: "dedup", dialect: dialect(), people: n, injectedDuplicates: dups, truePairs: truth.size, candidates: found.size, truePositives: tp, precision: Number(precision.toFixed(4)), recall: Number(recall.toFixed(4)), importSeconds: Number(seconds.toFixed(1)), failedRows }],
      notes: [`dedup on ${n} people + ${dups} injected duplicates (${truth.size} true pairs; ${Object.entries(kinds).map(([k, v]) => `${k} ${v}`).join(", ")}): precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} (target >= 0.95 each)`],
    };
  } finally {
    await sg.stop();
  }
}

function pct(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/**
 * Seeds `n` registrants with their keys at SQL level (multi-row INSERTs with bound parameters, 10,000
 * registrants per transaction), bypassing validation and the job: 1,000,000 registrants and their
 * ~10 million key rows in minutes, with memory bounded by one batch.
 */
export async function seedRegistrants(sg: TestSubgraph, n: number, r: () => number) {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const BATCH = 10_000;
  const base = Date.now() - n * 10;
  const columns = ["id", "kind", "given_name", "family_name", "name_sort", "birth_date", "birth_date_approximate", "sex", "phones", "admin_area_code", "admin_area_path", "status", "source", "extra", "created_at", "updated_at"];
  for (let i = 0; i < n; i += BATCH) {
    await sg.orm.em.fork().transactional(async (em) => {
      const sql = bulkSql(em);
      const regs: unknown[][] = [];
      const keys: unknown[][] = [];
      for (let j = i; j < Math.min(n, i + BATCH); j++) {
        const county = `KE-0${10 + (j % 47)}`;
        const ward = `${county}-${String(j % 13).padStart(2, "0")}`;
        const givenName = pick(GIVEN);
        const familyName = pick(FAMILY);
        const birthDate = `${1940 + Math.floor(r() * 84)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`;
        const createdAt = new Date(base + j * 10);
        const id = randomUUID(); // as the registry makes them (random v4: see registrant.service.ts)
        regs.push([id, "INDIVIDUAL", givenName, familyName, `${familyName} ${givenName}`.toLowerCase(), birthDate, sql.bool(false), r() < 0.5 ? "FEMALE" : "MALE", "[]", ward, `KE/${county}/${ward}/`, "ACTIVE", "API", sql.json({ income: Math.floor(r() * 50000) }), sql.date(createdAt), sql.date(createdAt)]);
        for (const key of registrantKeys({ kind: "INDIVIDUAL", givenName, familyName, birthDate, adminAreaCode: ward, adminAreaPath: `KE/${county}/${ward}/` })) keys.push([key, id]);
      }
      await sql.insert("registrant", columns, regs);
      await sql.insert("registrant_key", ["key", "registrant_id"], keys, { rowsPerStatement: 2000 });
    });
  }
}

async function benchSearch(n: number, queries: number): Promise<{ rows: Row[]; notes: string[] }> {
  const sg = await startTestSubgraph(subgraph, { LOG_LEVEL: "silent" }, { recordSql: false });
  try {
    const r = rng(11);
    const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
    const t0 = Date.now();
    await seedRegistrants(sg, n, r);
    // VACUUM (sets the visibility map for index-only scans) cannot share a statement with another.
    if (process.env.DATABASE_URL) for (const t of ["registrant", "registrant_key"]) await sg.orm.em.getConnection().execute(`vacuum analyze "registry"."${t}"`);
    else await sg.orm.em.getConnection().execute("analyze");
    const seedSeconds = (Date.now() - t0) / 1000;
    const filters: [string, () => Record<string, unknown>][] = [
      ["area subtree (county)", () => ({ adminArea: `KE-0${10 + Math.floor(r() * 47)}` })],
      ["area (ward)", () => ({ adminArea: `KE-0${10 + Math.floor(r() * 47)}-${String(Math.floor(r() * 13)).padStart(2, "0")}` })],
      ["fuzzy name (2 tokens)", () => ({ name: `${pick(GIVEN)} ${pick(FAMILY)}` })],
      ["age 18-35 + sex", () => ({ ageMin: 18, ageMax: 35, sex: pick(["FEMALE", "MALE"]) })],
      ["extra income < 5000 + ward", () => ({ adminArea: `KE-0${10 + Math.floor(r() * 47)}-${String(Math.floor(r() * 13)).padStart(2, "0")}`, extra: [{ path: "income", op: "LT", value: { value: 5000 } }] })],
      ["fuzzy name + county", () => ({ name: pick(FAMILY), adminArea: `KE-0${10 + Math.floor(r() * 47)}` })],
    ];
    const withCount = `query ($f: RegistrantFilter) { registrants(first: 50, filter: $f) { totalCount nodes { id givenName familyName birthDate } pageInfo { endCursor } } }`;
    const pageOnly = `query ($f: RegistrantFilter) { registrants(first: 50, filter: $f) { nodes { id givenName familyName birthDate } pageInfo { endCursor } } }`;
    const rows: Row[] = [];
    const all: number[] = [];
    const allCounted: number[] = [];
    for (const [name, make] of filters) {
      for (const [label, q] of [["page of 50", pageOnly], ["page of 50 + totalCount", withCount]] as const) {
        for (let w = 0; w < 3; w++) dataOf(await sg.request(q, { f: make() }, registrar));
        const lat: number[] = [];
        let total = 0;
        for (let i = 0; i < queries; i++) {
          const t = process.hrtime.bigint();
          const res = dataOf(await sg.request(q, { f: make() }, registrar));
          lat.push(Number(process.hrtime.bigint() - t) / 1e6);
          total += res.registrants.totalCount ?? res.registrants.nodes.length;
        }
        (label === "page of 50" ? all : allCounted).push(...lat);
        rows.push({ benchmark: "search", dialect: dialect(), registrants: n, filter: name, query: label, queries, "avg rows|total": Math.round(total / queries), "p50 ms": Number(pct(lat, 50).toFixed(1)), "p95 ms": Number(pct(lat, 95).toFixed(1)) });
      }
    }
    return {
      rows,
      notes: [
        `search over ${n} registrants (seeded in ${seedSeconds.toFixed(0)} s), over HTTP: page of 50 p50 ${pct(all, 50).toFixed(1)} ms, p95 ${pct(all, 95).toFixed(1)} ms; with totalCount p50 ${pct(allCounted, 50).toFixed(1)} ms, p95 ${pct(allCounted, 95).toFixed(1)} ms (target p95 <= 50 ms at 1,000,000)`,
        loadNote(),
      ],
    };
  } finally {
    await sg.stop();
  }
}

const PROCESSING_PAGE = /* GraphQL */ `
  query Processing($first: Int!, $after: String) {
    registrantsForProcessing(first: $first, after: $after, kind: INDIVIDUAL) {
      nodes { id kind birthDate sex disability adminAreaCode groupId members { id role birthDate sex disability } extra }
      endCursor
      hasNextPage
    }
  }
`;

async function benchProcessing(n: number, pageSize: number): Promise<{ rows: Row[]; notes: string[] }> {
  const sg = await startTestSubgraph(subgraph, { LOG_LEVEL: "silent" }, { recordSql: false });
  try {
    const t0 = Date.now();
    await seedRegistrants(sg, n, rng(13));
    const seedSeconds = (Date.now() - t0) / 1000;
    const service = { role: "service" as const, sub: "bench-eligibility" };
    const cpu0 = process.cpuUsage();
    const t1 = Date.now();
    const lat: number[] = [];
    let after: string | null = null;
    let read = 0;
    for (;;) {
      const t = process.hrtime.bigint();
      const page: { nodes: unknown[]; endCursor: string | null; hasNextPage: boolean } = dataOf(
        await sg.request(PROCESSING_PAGE, { first: pageSize, after }, service),
      ).registrantsForProcessing;
      lat.push(Number(process.hrtime.bigint() - t) / 1e6);
      read += page.nodes.length;
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    const seconds = (Date.now() - t1) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return {
      rows: [
        {
          benchmark: "processing stream",
          dialect: dialect(),
          registrants: read,
          "page size": pageSize,
          pages: lat.length,
          seconds: Number(seconds.toFixed(1)),
          "per second": Math.round(read / seconds),
          "CPU s (registry + client)": Number(cpuSeconds.toFixed(1)),
          "page p50 ms": Number(pct(lat, 50).toFixed(1)),
          "page p95 ms": Number(pct(lat, 95).toFixed(1)),
        },
      ],
      notes: [`processing stream: ${n} registrants seeded in ${seedSeconds.toFixed(0)} s, then read in ${lat.length} pages over HTTP (the subgraph directly, no gateway)`, loadNote()],
    };
  } finally {
    await sg.stop();
  }
}

export async function run(args: string[]) {
  const mode = args.find((a) => !a.startsWith("--") && Number.isNaN(Number(a))) ?? "all";
  const rows: Row[] = [];
  const notes: string[] = [];
  const add = (x: { rows: Row[]; notes: string[] }) => {
    rows.push(...x.rows);
    notes.push(...x.notes);
  };
  if (mode === "import" || mode === "all") add(await benchImport(arg(args, "n", 100_000)));
  if (mode === "dedup" || mode === "all") add(await benchDedup(arg(args, "n", 20_000)));
  if (mode === "search" || mode === "all") add(await benchSearch(arg(args, "n", 1_000_000), arg(args, "queries", 100)));
  if (mode === "processing") add(await benchProcessing(arg(args, "n", 1_000_000), arg(args, "page", 5_000)));
  return { title: `Registry benchmarks (${dialect()})`, rows, notes };
}
