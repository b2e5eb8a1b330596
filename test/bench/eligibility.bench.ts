/**
 * `npm run bench -- eligibility [--engine N] [--registrants N] [--generation N] [--chunks N] [--page N] [--concurrency N] [--skip-job]`
 *
 * The targets: `--engine 300000 --skip-job` (>= 50,000/s on one core); `--registrants 1000000`
 * (evaluation through the gateway <= 5 min); `--generation 1000000` (1M entitlements <= 60 s).
 *
 * 1. The rule and scoring engine alone, on one core: facts + criteria + PMT score per registrant.
 * 2. A whole evaluation job (a cycle's eligibility re-check) over N registrants fetched page by page
 *    THROUGH THE GATEWAY with a service token, then entitlement generation for the enrolled ones.
 *    The registry side is a simulator subgraph serving the `registrantsForProcessing` contract from a
 *    generated population (no database behind it): it measures eligibility + gateway + transport,
 *    not the registry's own storage. The simulator runs in its own process (`--in-process-registry`
 *    puts it in this one); the gateway and eligibility share this process. Each job row prints the CPU
 *    seconds of both processes and CPU ms per 1,000 registrants: compare those across runs on a shared
 *    machine, where wall-clock mostly measures the load.
 *
 * Full scale (the target): `--engine 300000 --registrants 1000000 --chunks 250 --concurrency 2`.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { celEnvironment, compileProgram, Population, resetEligibilityConfig, resetRegistrySource, subgraph, toFacts } from "@g2p/eligibility";
import { startGateway } from "@g2p/gateway";
import { createTestDatabase, dataOf, graphqlRequest, startSubgraph } from "@g2p/kit";
import { composeServices } from "@apollo/composition";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";

const ROOT = path.resolve(__dirname, "../..");

const SIMULATOR_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  scalar JSONObject
  enum RegistrantKind { INDIVIDUAL GROUP }
  type ProcessingMember { id: ID! role: String birthDate: String sex: String disability: Boolean }
  type ProcessingRegistrant { id: ID! kind: RegistrantKind! birthDate: String sex: String disability: Boolean adminAreaCode: String groupId: ID members: [ProcessingMember!] extra: JSONObject }
  type ProcessingPage { nodes: [ProcessingRegistrant!]! endCursor: String hasNextPage: Boolean! }
  type Query { registrantsForProcessing(first: Int = 1000, after: String, kind: RegistrantKind): ProcessingPage! }
`;

/**
 * A stand-in registry subgraph serving the bulk contract from a generated population (no database),
 * configured as the kit configures every subgraph (inline tracing off).
 */
async function startRegistrySimulator(population: Population) {
  const schema = buildSubgraphSchema({
    typeDefs: parse(SIMULATOR_SDL),
    resolvers: {
      Query: { registrantsForProcessing: (_: unknown, a: { first: number; after?: string | null }) => population.page({ first: a.first, after: a.after ?? null }) },
    } as never,
  });
  const server = new ApolloServer({ schema, plugins: [ApolloServerPluginInlineTraceDisabled()] });
  const { url } = await startStandaloneServer(server, { listen: { host: "127.0.0.1", port: 0 } });
  return { url, sdl: SIMULATOR_SDL, stop: () => server.stop() };
}

// `node -r ./scripts/ts-register.js test/bench/eligibility.bench.ts --simulator SIZE SEED`: the simulator as its own process.
if (require.main === module && process.argv[2] === "--simulator") {
  void startRegistrySimulator(new Population(Number(process.argv[3]), Number(process.argv[4]))).then(({ url }) => console.log(JSON.stringify({ url })));
}

const EXTRA = "income:double,assets:int,hasLand:bool";
const CRITERIA = [
  { name: "a household", expression: 'registrant.kind == "GROUP" && household.size >= 1' },
  { name: "has a head", expression: 'household.members.exists(m, m.role == "HEAD")' },
  { name: "not rich", expression: "extra.income < 9900.0 || !extra.hasLand" },
];
const SCORING = {
  intercept: 10,
  threshold: 200,
  eligibleWhen: "AT_MOST",
  parts: [
    { name: "income", expression: "extra.income", weight: 0.01 },
    { name: "assets", expression: "extra.assets", weight: 2.5 },
    { name: "children", expression: "household.children", weight: -3 },
    { name: "elderly", expression: "household.elderly", weight: -2 },
    { name: "disabled", expression: "household.disabled", weight: -4 },
  ],
};

/** CPU seconds (user + system) a child process has used so far, from /proc (Linux); null elsewhere. */
function childCpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) of this process since `since`. */
function ownCpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/** The simulator in its own process (as the registry would be), or in this one with --in-process-registry. */
async function startSimulator(size: number, seed: number, inProcess: boolean): Promise<{ url: string; sdl: string; pid?: number; stop(): Promise<void> }> {
  if (inProcess) return startRegistrySimulator(new Population(size, seed));
  const child = spawn(process.execPath, ["-r", path.join(ROOT, "scripts/ts-register.js"), __filename, "--simulator", String(size), String(seed)], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, LOG_LEVEL: "silent" },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      const m = /\{"url":"([^"]+)"\}/.exec(buf);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`registry simulator exited with ${code}`)));
  });
  return {
    url,
    sdl: SIMULATOR_SDL,
    pid: child.pid,
    stop: async () => {
      child.kill("SIGTERM");
    },
  };
}

export async function run(args: string[]) {
  const engineN = arg(args, "engine", 300_000);
  const registrants = arg(args, "registrants", 1_000_000);
  const chunks = arg(args, "chunks", Math.max(4, Math.ceil(registrants / 4_000)));
  const page = arg(args, "page", 5000);
  // Chunks running at once in the eligibility process (kit JOBS_CONCURRENCY): registry pages of one
  // chunk are fetched while another chunk evaluates and writes.
  const concurrency = arg(args, "concurrency", Number(process.env.JOBS_CONCURRENCY ?? 2));
  const rows: Record<string, string | number>[] = [];
  const notes: string[] = [];

  // 1. engine alone
  const population = new Population(Math.max(engineN, 1), 11);
  const extra = { income: "double", assets: "int", hasLand: "bool" } as const;
  const engine = compileProgram(celEnvironment({ ...extra }), CRITERIA, SCORING as never);
  const sample = Array.from({ length: Math.min(engineN, 50_000) }, (_, i) => population.registrant(i));
  const asOf = new Date("2026-01-01T00:00:00Z");
  for (let i = 0; i < 5000; i++) engine.decide(toFacts(sample[i % sample.length]!, asOf, { ...extra })); // warm-up
  let eligible = 0;
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < engineN; i++) if (engine.decide(toFacts(sample[i % sample.length]!, asOf, { ...extra })).eligible) eligible++;
  const engineSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  // "On one core": the loop is single-threaded, so registrants per CPU-second of this process is the
  // per-core rate even when the shared machine gives the process only part of a core (wall rate beside it).
  const engineCpuSeconds = (cpu.user + cpu.system) / 1e6;
  rows.push({ step: "engine alone (facts + 3 criteria + 5-part PMT score)", registrants: engineN, seconds: +engineSeconds.toFixed(2), "per second": Math.round(engineN / engineSeconds), "per CPU second": Math.round(engineN / engineCpuSeconds), eligible });
  console.log(JSON.stringify(rows.at(-1)));

  if (args.includes("--skip-job")) return { title: "Eligibility engine", rows, notes };

  // 2. the job through the gateway
  process.env.ELIGIBILITY_EXTRA_ATTRIBUTES = EXTRA;
  process.env.REGISTRY_PAGE_SIZE = String(page);
  // --generation N: N ENROLLED enrollments are seeded with SQL (the registry is empty), then only
  // entitlement generation is measured.
  const seeded = arg(args, "generation", 0);
  const sim = await startSimulator(seeded > 0 ? 0 : registrants, 23, args.includes("--in-process-registry"));
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), "g2p-eligibility-bench-"));
  const eligibility = await startSubgraph(subgraph, {
    env: { ...process.env, PORT: "0", DATA_DIR: dataDir, DATABASE_URL: db.databaseUrl ?? "", JOBS_QUEUE_PREFIX: `bench-${Date.now()}`, LOG_LEVEL: "silent", JOBS_CONCURRENCY: String(concurrency) },
  });
  // Composed here (not with the testkit, which loads every subgraph): the simulator and eligibility only.
  const composed = composeServices([
    { name: "registry", url: sim.url, typeDefs: parse(sim.sdl) },
    { name: "eligibility", url: eligibility.url, typeDefs: parse(eligibility.sdl) },
  ]);
  if (composed.errors?.length || !composed.supergraphSdl) throw new Error(`composition failed: ${composed.errors?.map((e) => e.message).join("; ")}`);
  const supergraphSdl = composed.supergraphSdl;
  const gateway = await startGateway({ supergraphSdl, port: 0, env: { ...process.env, LOG_LEVEL: "silent" } });
  process.env.GRAPH_URL = gateway.url;
  resetEligibilityConfig();
  resetRegistrySource();
  const pm = { role: "program_manager" as const, sub: "bench-pm" };
  // Control calls (create, start, poll) go straight to the eligibility subgraph: on SQLite a call waits
  // for the running chunk's transaction and could exceed the gateway's 10 s subgraph timeout. The
  // registry pages — the data flow being measured — go through the gateway.
  // A long synchronous SQLite statement (libsql) can make an idle keep-alive socket reset: retry once.
  const call = async (q: string, v: Record<string, unknown>) =>
    dataOf(await graphqlRequest(eligibility.url, q, v, pm).catch(() => graphqlRequest(eligibility.url, q, v, pm)));
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  try {
    const program = (
      await call(`mutation ($i: CreateProgramInput!) { createProgram(input: $i) { id } }`, {
        i: {
          name: "Bench",
          target: "GROUP",
          currency: "KES",
          criteria: CRITERIA,
          scoring: SCORING,
          entitlementFormula: { baseAmount: "1500.00", perMemberAmount: "250.50", memberCap: 6, feeAmount: "12.25", validityDays: 30 },
        },
      })
    ).createProgram;
    const cycle = (await call(`mutation ($i: CreateCycleInput!) { createCycle(input: $i) { id } }`, { i: { programId: program.id, name: "Bench cycle", startDate: "2026-01-01", endDate: "2026-01-31" } })).createCycle;
    const runQuery = `query ($id: ID!) { programRun(id: $id) { jobId status doneChunks totalChunks processed eligible notEligible errors created } }`;
    let slowPolls = 0;
    const waitRun = async (runId: string) => {
      for (;;) {
        const res = await graphqlRequest(eligibility.url, runQuery, { id: runId }, pm).catch(() => null);
        if (!res) {
          slowPolls++;
          await new Promise((done) => setTimeout(done, 500));
          continue;
        }
        if (res.errors?.length || !res.data) {
          // On SQLite a progress read waits for the running chunk's transaction (one connection).
          slowPolls++;
          continue;
        }
        const r = res.data.programRun;
        if (r.status === "COMPLETED" || r.status === "FAILED") return r;
        await new Promise((done) => setTimeout(done, 500));
      }
    };

    if (seeded > 0) {
      const t0 = Date.now();
      const conn = eligibility.orm.em.getConnection();
      const now = db.databaseUrl ? "now()" : String(Date.now());
      const uuid = db.databaseUrl
        ? "gen_random_uuid()"
        : "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-a' || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))";
      const table = db.databaseUrl ? `"eligibility"."enrollment"` : "enrollment";
      const series = db.databaseUrl ? `generate_series(1, ${seeded}) as s(n)` : `(with recursive c(n) as (select 1 union all select n + 1 from c where n < ${seeded}) select n from c) s`;
      await conn.execute(
        `insert into ${table} (id, program_id, registrant_id, state, household_size, created_at) ` +
          `select ${uuid}, '${program.id}', ${uuid}, 'ENROLLED', 1 + (n % 8), ${now} from ${series}`,
      );
      notes.push(`seeded ${seeded} ENROLLED enrollments with SQL in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      console.log(notes.at(-1));
    }
    let t = Date.now();
    const evalCpu0 = process.cpuUsage();
    const simCpu0 = childCpuSeconds(sim.pid);
    const check = (await call(`mutation ($c: ID!, $n: Int) { checkCycleEligibility(cycleId: $c, chunks: $n) { id } }`, { c: cycle.id, n: chunks })).checkCycleEligibility;
    const evaluated = await waitRun(check.id);
    const evalSeconds = (Date.now() - t) / 1000;
    // CPU per registrant is what to compare across runs on a shared machine (wall-clock depends on the load).
    const evalCpu = ownCpuSeconds(evalCpu0);
    const simCpu1 = childCpuSeconds(sim.pid);
    const simCpu = simCpu0 !== null && simCpu1 !== null ? simCpu1 - simCpu0 : null;
    const perK = (cpu: number) => (seeded > 0 ? 0 : +((cpu * 1000 * 1000) / registrants).toFixed(1));
    rows.push({
      step: seeded > 0 ? "evaluation job (empty registry)" : "evaluation job through the gateway",
      registrants: seeded > 0 ? 0 : registrants,
      seconds: +evalSeconds.toFixed(1),
      "per second": seeded > 0 ? 0 : Math.round(registrants / evalSeconds),
      eligible: evaluated.eligible,
      "CPU s (gateway + eligibility)": +evalCpu.toFixed(1),
      "CPU ms / 1000 (gateway + eligibility)": perK(evalCpu),
      "CPU s (registry simulator)": simCpu === null ? "-" : +simCpu.toFixed(1),
    });
    console.log(JSON.stringify(rows.at(-1)), `peak RSS ${Math.round(peakRss / 2 ** 20)} MiB`, `load ${(await import("node:os")).loadavg().map((l) => l.toFixed(1)).join(" / ")}`);
    notes.push(`evaluation: ${JSON.stringify(evaluated)}`);

    t = Date.now();
    const genCpu0 = process.cpuUsage();
    const genCall = Date.now();
    const gen = (await call(`mutation ($c: ID!, $n: Int) { generateEntitlements(cycleId: $c, chunks: $n) { id } }`, { c: cycle.id, n: chunks })).generateEntitlements;
    console.log(`generateEntitlements answered in ${((Date.now() - genCall) / 1000).toFixed(1)} s`);
    const generated = await waitRun(gen.id);
    const genSeconds = (Date.now() - t) / 1000;
    const genCpu = ownCpuSeconds(genCpu0);
    rows.push({
      step: "entitlement generation",
      registrants: generated.processed,
      seconds: +genSeconds.toFixed(1),
      "per second": Math.round(generated.processed / genSeconds),
      eligible: generated.created,
      "CPU s (gateway + eligibility)": +genCpu.toFixed(1),
    });
    const totals = (await call(`query ($c: ID!) { cycle(id: $c) { totals { entitlements totalAmount totalFee } } }`, { c: cycle.id })).cycle.totals;
    notes.push(`generation: ${JSON.stringify(generated)}; totals ${JSON.stringify(totals)}`);
    notes.push(`database: ${db.databaseUrl ? "PostgreSQL" : "SQLite file"}; jobs: ${eligibility.jobs.kind}; ${chunks} chunks, ${concurrency} at a time; registry pages of ${page}`);
    notes.push(`progress polls through the gateway that timed out (waiting for a chunk's transaction): ${slowPolls}`);
    notes.push(`peak RSS of the whole process (gateway + eligibility + simulator): ${Math.round(peakRss / 2 ** 20)} MiB`);
    notes.push(`load average at the end: ${(await import("node:os")).loadavg().map((l) => l.toFixed(1)).join(" / ")} (1/5/15 min)`);
    notes.push(
      `registry side: a simulator subgraph (generated data, no database) ${args.includes("--in-process-registry") ? "in this process" : "in its own process"}, behind the real gateway; the registry's storage cost is not measured here`,
    );
  } finally {
    clearInterval(sampler);
    await gateway.stop();
    await eligibility.stop();
    await sim.stop();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
  return { title: `Eligibility: engine, and a ${registrants.toLocaleString("en")}-registrant job through the graph`, rows, notes };
}
