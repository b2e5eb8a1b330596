/**
 * `npm run bench -- payments [N] [chunkSize]`: N payments (default 100,000) end to end through the
 * payments pipeline against the GSMA mobile-money simulator (no injected latency): CSV streamed in,
 * account lookup, budget hold, dispatch, ledger, batch closed. SQLite in memory by default, PostgreSQL
 * when DATABASE_URL is set; in-process jobs, or BullMQ with REDIS_URL.
 *
 * The simulator runs in a child process (as a provider would), so the peak RSS reported is the
 * worker's own (with SQLite in memory it includes the database). Reports payments/s, the CPU seconds
 * of the worker, of the simulator and (PostgreSQL) of the database backends serving the run (stable
 * on a shared machine where wall time is not), RSS sampled every 200 ms at 10 % steps of progress (the
 * memory curve), SQL statements per 1,000 payments, and the GSMA batches the provider received.
 * GSMA bulk is on from PAYMENTS_GSMA_BULK_MIN_ITEMS (default 50) payments per chunk; set it to 0 for
 * one POST per payment. Full scale (issue 6), on a quiet machine:
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_payments npm run bench -- payments 1000000 2000
 *   npm run bench -- payments 100000 2000            (SQLite in memory)
 * `PAYMENTS_BENCH_SIM_IN_PROCESS=1` keeps the simulator in this process (the old setup).
 */
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { startTestSubgraph } from "@g2p/kit";
import { ConnectorKind, DisbursementBatch, post, ProviderKind, statusCounts, submitCsvBatch, subgraph, SYSTEM, upsertProvider } from "@g2p/payments";
import { startMobileMoneySimulator } from "../simulators/mobile-money";

interface SimHandle {
  url: string;
  /** Distinct ids settled, the most settlements of one id, duplicate POSTs absorbed, simulator peak RSS. */
  stats(): Promise<{ settled: number; maxPerId: number; duplicates: number; rssBytes: number; cpuMicros: number; batches: number }>;
  stop(): Promise<void>;
}

/** Child-process side: started by `simulatorProcess()` with PAYMENTS_BENCH_SIM_CHILD=1. */
if (process.env.PAYMENTS_BENCH_SIM_CHILD === "1" && process.send) {
  void startMobileMoneySimulator().then((sim) => {
    let peak = process.memoryUsage().rss;
    setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 500).unref();
    process.on("message", (m: { ask?: string }) => {
      if (m.ask !== "stats") return;
      let maxPerId = 0;
      for (const n of sim.settlements.values()) maxPerId = Math.max(maxPerId, n);
      const cpu = process.cpuUsage();
      process.send!({
        stats: { settled: sim.settlements.size, maxPerId, duplicates: sim.duplicates, rssBytes: Math.max(peak, process.memoryUsage().rss), cpuMicros: cpu.user + cpu.system, batches: sim.batches.size },
      });
    });
    process.on("disconnect", () => void sim.stop().then(() => process.exit(0)));
    process.send!({ url: sim.url });
  });
}

async function simulatorProcess(): Promise<SimHandle> {
  const child: ChildProcess = fork(__filename, [], {
    env: { ...process.env, PAYMENTS_BENCH_SIM_CHILD: "1" },
    execArgv: ["-r", path.resolve(__dirname, "../../scripts/ts-register.js")],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("message", (m: { url?: string }) => (m.url ? resolve(m.url) : reject(new Error("simulator did not start"))));
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return {
    url,
    stats: () =>
      new Promise((resolve) => {
        const on = (m: { stats?: Awaited<ReturnType<SimHandle["stats"]>> }) => {
          if (!m.stats) return;
          child.off("message", on);
          resolve(m.stats);
        };
        child.on("message", on);
        child.send({ ask: "stats" });
      }),
    stop: async () => {
      const gone = new Promise((r) => child.once("exit", r));
      child.disconnect();
      await gone;
    },
  };
}

/**
 * CPU seconds spent by the PostgreSQL backends serving this run's database (from /proc; PostgreSQL
 * on this machine), by backend pid: the database's share of the per-payment cost, which the worker's
 * own CPU does not show. Null when not on PostgreSQL or /proc is not readable.
 */
async function pgBackendTicks(em: { getConnection(): { execute(sql: string): Promise<unknown> } }): Promise<Map<number, number> | null> {
  if (!process.env.DATABASE_URL) return null;
  try {
    const rows = (await em.getConnection().execute("select pid from pg_stat_activity where datname = current_database()")) as { pid: number }[];
    const out = new Map<number, number>();
    for (const { pid } of rows) {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(Number(pid), Number(fields[11]) + Number(fields[12])); // utime + stime, clock ticks (100/s)
    }
    return out;
  } catch {
    return null;
  }
}

async function simulatorInProcess(): Promise<SimHandle> {
  const sim = await startMobileMoneySimulator();
  return {
    url: sim.url,
    stats: async () => {
      let maxPerId = 0;
      for (const v of sim.settlements.values()) maxPerId = Math.max(maxPerId, v);
      return { settled: sim.settlements.size, maxPerId, duplicates: sim.duplicates, rssBytes: 0, cpuMicros: 0, batches: sim.batches.size };
    },
    stop: () => sim.stop(),
  };
}

function* csvRows(n: number): Generator<string> {
  yield "request_id,payment_mode,payee_identifier_type,payee_identifier,amount,currency,payee_dfsp_id\n";
  let buf = "";
  for (let i = 0; i < n; i++) {
    buf += `r${i},GSMA,MSISDN,2547${String(i).padStart(8, "0")},${(i % 97) + 1}.25,KES,mpesa\n`;
    if (buf.length > 64_000) {
      yield buf;
      buf = "";
    }
  }
  if (buf) yield buf;
}

export async function run(args: string[]) {
  const n = Number(args[0] ?? 100_000);
  if (args[1]) process.env.PAYMENTS_CHUNK_SIZE = args[1];
  process.env.PAYMENTS_CONNECTOR_CONCURRENCY ??= "32";
  const inProcess = process.env.PAYMENTS_BENCH_SIM_IN_PROCESS === "1";
  const sim = inProcess ? await simulatorInProcess() : await simulatorProcess();
  const sg = await startTestSubgraph(subgraph, { LOG_LEVEL: "silent" }, { recordSql: false });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  // SQL statements issued by the worker (every MikroORM query goes through connection.execute).
  const conn = sg.orm.em.getConnection() as unknown as { execute: (...a: unknown[]) => Promise<unknown> };
  const execute = conn.execute.bind(conn);
  let statements = 0;
  conn.execute = (...a: unknown[]) => {
    statements++;
    return execute(...a);
  };
  const curve: { at: string; s: number; rssMB: number }[] = [];
  try {
    const em = sg.orm.em.fork();
    await upsertProvider(em, SYSTEM, { code: "mpesa", name: "M-Pesa", kind: ProviderKind.WALLET, connector: ConnectorKind.GSMA, endpointUrl: sim.url });
    await em.fork().transactional((tx) =>
      post(tx, { key: "bench-fund", description: "bench", currency: "KES", lines: [{ account: "FUNDING:BENCH", amount: 10n ** 13n }, { account: "TREASURY:KES", amount: -(10n ** 13n) }] }),
    );
    const sim0 = await sim.stats();
    const pg0 = await pgBackendTicks(sg.orm.em);
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    const statements0 = statements;
    const batch = await submitCsvBatch(sg.orm.em.fork(), SYSTEM, sg.jobs, { clientCorrelationId: `bench-${n}`, programCode: "BENCH", currency: "KES" }, () => Readable.from(csvRows(n)));
    const tIngest = Date.now();
    const final = new Set(["COMPLETED", "PARTIALLY_COMPLETED", "FAILED", "RECONCILING", "AUTHORIZATION_DENIED"]);
    let status = "";
    let lastLog = 0;
    for (;;) {
      const b = await sg.orm.em.fork().findOneOrFail(DisbursementBatch, batch.id);
      status = b.status;
      if (final.has(status)) break;
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        const settled = (await sim.stats()).settled;
        const step = Math.floor((settled * 10) / n) * 10;
        if (!curve.some((c) => c.at === `${step}%`)) curve.push({ at: `${step}%`, s: Math.round((Date.now() - t0) / 1000), rssMB: Math.round(process.memoryUsage().rss / 2 ** 20) });
        console.error(`  ${((Date.now() - t0) / 1000).toFixed(0)} s: ${status}, settled ${settled}, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB, peak ${Math.round(peakRss / 2 ** 20)} MB`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const tDone = Date.now();
    const cpu = process.cpuUsage(cpu0);
    const sql = statements - statements0;
    const simStats = await sim.stats();
    const pg1 = await pgBackendTicks(sg.orm.em);
    const pgCpuSeconds = pg1 ? [...pg1].reduce((a, [pid, t]) => a + t - (pg0?.get(pid) ?? 0), 0) / 100 : null;
    const simCpuSeconds = (simStats.cpuMicros - sim0.cpuMicros) / 1e6;
    const counts = await statusCounts(sg.orm.em.fork(), batch.id);
    const completed = counts.find((c) => c.status === "COMPLETED")?.count ?? 0;
    const seconds = (tDone - t0) / 1000;
    return {
      title: `payments: ${n.toLocaleString()} payments end to end (${process.env.DATABASE_URL ? "PostgreSQL" : "SQLite in memory"}, ${sg.jobs.kind} jobs, GSMA simulator)`,
      rows: [
        { measure: "final batch status", value: status },
        { measure: "completed payments", value: completed },
        { measure: "settled at simulator (distinct ids)", value: simStats.settled },
        { measure: "most settlements of one id (must be 1)", value: simStats.maxPerId },
        { measure: "CSV ingest (s)", value: ((tIngest - t0) / 1000).toFixed(1) },
        { measure: "pipeline after ingest (s)", value: ((tDone - tIngest) / 1000).toFixed(1) },
        { measure: "end to end (s)", value: seconds.toFixed(1) },
        { measure: "payments per second", value: Math.round(n / seconds) },
        { measure: "worker CPU s (user+sys)", value: ((cpu.user + cpu.system) / 1e6).toFixed(1) },
        { measure: "worker CPU ms per 1,000 payments", value: Math.round((cpu.user + cpu.system) / 1e3 / (n / 1000)) },
        ...(inProcess
          ? []
          : [
              { measure: "simulator CPU s", value: simCpuSeconds.toFixed(1) },
              { measure: "simulator CPU ms per 1,000 payments", value: Math.round((simCpuSeconds * 1000) / (n / 1000)) },
            ]),
        ...(pgCpuSeconds === null
          ? []
          : [
              { measure: "PostgreSQL backends CPU s", value: pgCpuSeconds.toFixed(1) },
              { measure: "PostgreSQL CPU ms per 1,000 payments", value: Math.round((pgCpuSeconds * 1000) / (n / 1000)) },
            ]),
        { measure: "provider exchanges: GSMA batches received", value: simStats.batches - sim0.batches },
        { measure: "SQL statements per 1,000 payments", value: Math.round(sql / (n / 1000)) },
        { measure: inProcess ? "peak RSS, worker + simulator (MB)" : "peak RSS, worker (MB)", value: Math.round(peakRss / 2 ** 20) },
        ...(inProcess ? [] : [{ measure: "peak RSS, simulator process (MB)", value: Math.round(simStats.rssBytes / 2 ** 20) }]),
      ],
      notes: [
        `chunk size ${process.env.PAYMENTS_CHUNK_SIZE ?? 500}, connector concurrency ${process.env.PAYMENTS_CONNECTOR_CONCURRENCY}, GSMA bulk from ${process.env.PAYMENTS_GSMA_BULK_MIN_ITEMS ?? 50} payments per sub-batch (0 = off)`,
        "issue 6 targets: 1,000,000 on PostgreSQL ≤ 10 min (≥ 1,667/s); 100,000 on SQLite ≤ 2 min; worker < 500 MB",
        `RSS curve (progress: s, MB): ${curve.map((c) => `${c.at}: ${c.s} s, ${c.rssMB} MB`).join("; ")}`,
      ],
      data: { n, seconds, completed, peakRssBytes: peakRss, cpuUser: cpu.user, cpuSystem: cpu.system, simCpuSeconds, pgCpuSeconds, sqlStatements: sql, curve, sim: simStats, counts: counts.map((c) => ({ ...c, amount: c.amount.toString() })) },
    };
  } finally {
    clearInterval(sampler);
    await sg.stop();
    await sim.stop();
  }
}
