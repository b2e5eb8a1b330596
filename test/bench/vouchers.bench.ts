/**
 * `npm run bench -- vouchers [--vouchers N] [--redemptions N] [--concurrency N] [--smoke]`
 *
 * The vouchers subgraph in this process, over a SQLite file (PostgreSQL with DATABASE_URL):
 * - issue:  N vouchers (default 1,000,000) through the bulk issuing step the batch and cycle jobs run
 *           (`prepareChunk` in the issuing worker, then `issueChunk` + the JWE delivery envelope in
 *           one transaction per chunk of 1,000), pipelined as the jobs run with JOBS_CONCURRENCY ≥ 2:
 *           chunk n+1 is prepared while chunk n is written. Target: 1,000,000 in ≤ 120 s.
 * - redeem: R redemptions (default 20,000) over HTTP, `redeemVoucher` with the secret, keep-alive,
 *           C concurrent merchants' requests (default 32), each fully checked (merchant, HMAC
 *           lookup, conditional UPDATE, history, audit, redemption). Target: ≥ 1,000/s.
 * `--smoke` (or run({ smoke: true })): 3,000 vouchers and 300 redemptions, for the test suite.
 *
 * Other options: `--service-redemptions N` (redemptions called on the service directly, no HTTP),
 * `--sqlite-cache-mb N` (sets the kit's SQLITE_CACHE_MB for this run); experiments for kit settings:
 * `--sqlite-wal-autocheckpoint N` (applied at every chunk: the kit replaces connections),
 * `--sqlite-page-size N` (the file is created with that page size before the kit opens it),
 * `--sqlite-background-checkpoint` (checkpoints in a thread of their own; the writer's automatic ones off).
 * The HTTP load generator runs in a worker thread: "server cpu s" is this process's CPU minus that
 * thread's, i.e. what the server alone spent (Linux: per-thread CPU from /proc). For issuance,
 * "main-thread cpu s" is the part that cannot spread over cores (the SQLite writes run there; numbers,
 * hashes and QR signatures run in the issuing worker): on a quiet 2-core machine, wall time ≥
 * max(main-thread CPU, total CPU / 2).
 * Full scale (memory bounded: secrets kept only for the redemption phases):
 *   npm run bench -- vouchers --vouchers 1000000 --redemptions 20000 --service-redemptions 10000 --concurrency 32
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { Worker } from "node:worker_threads";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { createTestDatabase, createViewer, dataOf, graphqlRequest, startSubgraph, tokenFor, type SubgraphContext } from "@g2p/kit";
import { deliver, issueChunk, prepareChunk, redeemVoucher, signingKey, subgraph, Voucher, VoucherStatus, type DeliveredVoucher, type PreparedChunk, type ValidInstruction } from "@g2p/vouchers";
import { exportJWK, generateKeyPair } from "jose";

type Row = Record<string, string | number>;
const cpuSecondsSince = (start: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
};
/** CPU seconds of the calling thread (Linux; NaN elsewhere). */
const threadCpuSeconds = () => {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e9;
  } catch {
    return NaN;
  }
};
/** Bytes this process wrote to files (Linux /proc/self/io `wchar`; NaN elsewhere): WAL + checkpoints. */
const bytesWritten = () => {
  try {
    return Number(/wchar: (\d+)/.exec(readFileSync("/proc/self/io", "utf8"))?.[1]);
  } catch {
    return NaN;
  }
};
/** Seconds the calling thread was runnable but waiting for a core (Linux schedstat, 2nd field). */
const threadRunqueueSeconds = () => {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[1]) / 1e9;
  } catch {
    return NaN;
  }
};
const arg = (args: string[], name: string, d: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

export interface VoucherBenchOptions {
  smoke?: boolean;
  vouchers?: number;
  redemptions?: number;
  concurrency?: number;
}

export async function run(input: string[] | VoucherBenchOptions = []) {
  const args = Array.isArray(input) ? input : [];
  const opts: VoucherBenchOptions = Array.isArray(input) ? {} : input;
  const smoke = opts.smoke ?? args.includes("--smoke");
  const N = opts.vouchers ?? arg(args, "vouchers", smoke ? 3_000 : 1_000_000);
  const R = Math.min(N, opts.redemptions ?? arg(args, "redemptions", smoke ? 300 : 20_000));
  // The same redemptions called on the service directly (no HTTP, GraphQL or token): where time goes.
  const S = Math.min(N - R, arg(args, "service-redemptions", smoke ? 300 : Math.min(R, 10_000)));
  const C = opts.concurrency ?? arg(args, "concurrency", 32);
  const CHUNK = 1000;

  const loadAtStart = loadavg();
  const dataDir = await mkdtemp(path.join(tmpdir(), "g2p-vouchers-bench-"));
  const db = await createTestDatabase();
  // The kit's SQLite page cache (every pooled connection), for this run.
  const cacheMb = arg(args, "sqlite-cache-mb", 0);
  // Experiment for a kit setting: the SQLite page size, fixed when the file is created (here, before the kit opens it).
  const pageSize = arg(args, "sqlite-page-size", 0);
  if (pageSize > 0 && !db.databaseUrl) {
    const Database = (await import("libsql")).default as unknown as new (file: string) => { exec(sql: string): void; close(): void };
    const file = new Database(path.join(dataDir, "vouchers.sqlite"));
    file.exec(`pragma page_size = ${Math.round(pageSize)}; pragma journal_mode = wal; create table bench_init (x); drop table bench_init;`);
    file.close();
  }
  const sg = await startSubgraph(subgraph, {
    env: { ...process.env, ...(cacheMb > 0 ? { SQLITE_CACHE_MB: String(cacheMb) } : {}), PORT: "0", DATA_DIR: dataDir, DATABASE_URL: db.databaseUrl ?? "", LOG_LEVEL: process.env.LOG_LEVEL ?? "silent", JOBS_QUEUE_PREFIX: `bench-${randomUUID().slice(0, 8)}` },
  });
  const rows: Row[] = [];
  const notes: string[] = [];
  if (pageSize > 0 && !db.databaseUrl) notes.push(`SQLite page size: ${pageSize} bytes (set when the file was created; SQLite's default 4,096).`);
  if (!db.databaseUrl) notes.push(`SQLite page cache: ${cacheMb > 0 ? cacheMb : (process.env.SQLITE_CACHE_MB ?? "64 (the kit's default)")} MiB per connection (SQLITE_CACHE_MB).`);
  // Experiments for kit settings (not vouchers ones), set again on each chunk's connection.
  // Checkpoints in a background thread on a connection of its own (the writer's automatic
  // checkpoint off), so the writer never copies WAL pages into the database nor waits for the fsyncs.
  const backgroundCheckpoint = args.includes("--sqlite-background-checkpoint") && !db.databaseUrl;
  const walPages = backgroundCheckpoint ? 0 : arg(args, "sqlite-wal-autocheckpoint", 0);
  const walSetting = backgroundCheckpoint ? 0 : walPages;
  if (walPages > 0 && !db.databaseUrl) notes.push(`SQLite wal_autocheckpoint set to ${walPages} pages for this run (SQLite default 1,000).`);
  if (backgroundCheckpoint) notes.push("SQLite checkpoints run in a background thread (PASSIVE, every 100 ms) on their own connection; the writer's wal_autocheckpoint is 0.");
  const checkpointer = backgroundCheckpoint ? startCheckpointer(path.join(dataDir, "vouchers.sqlite")) : null;
  try {
    const programId = randomUUID();
    const recipient = (await exportJWK((await generateKeyPair("ECDH-ES+A256KW", { crv: "P-256" })).publicKey)) as unknown as Record<string, unknown>;
    const key = await signingKey(sg.orm.em.fork());
    const chunkMs: number[] = [];
    // Secrets kept only for the vouchers the redemption phase uses.
    const keep: DeliveredVoucher[] = [];
    const cpu0 = process.cpuUsage();
    const main0 = threadCpuSeconds();
    const queued0 = threadRunqueueSeconds();
    const written0 = bytesWritten();
    const t0 = performance.now();
    const instructionsFrom = (from: number): ValidInstruction[] =>
      Array.from({ length: Math.min(CHUNK, N - from) }, (_, i) => ({
        instructionId: `bench-${from + i}`,
        programId,
        cycleId: null,
        registrantId: randomUUID(),
        groupCode: null,
        areaCode: `KE-0${(from + i) % 47}`,
        value: "25.00",
        currency: "KES",
        basket: null,
        expiresAt: null,
        presenceRequired: false,
      }));
    // The first chunk is prepared up front; each next one while the current one is written.
    let prepareWaitMs = 0; // time the writer waited for the issuing worker
    let next: Promise<PreparedChunk> | null = N > 0 ? prepareChunk(key, instructionsFrom(0)) : null;
    for (let from = 0, chunk = 0; from < N; from += CHUNK, chunk++) {
      const c0 = performance.now();
      const prepared = await next!;
      prepareWaitMs += performance.now() - c0;
      next = from + CHUNK < N ? prepareChunk(key, instructionsFrom(from + CHUNK)) : null;
      const out = await sg.orm.em.fork().transactional(async (tx) => {
        if ((walPages > 0 || backgroundCheckpoint) && !db.databaseUrl) await tx.getConnection().execute(`pragma wal_autocheckpoint = ${Math.round(walSetting)}`, [], "run", tx.getTransactionContext());
        const issued = await issueChunk(tx, key, prepared.instructions, "bench", prepared);
        await deliver(tx, "00000000-0000-4000-8000-000000000000", chunk, recipient, issued);
        return issued;
      });
      chunkMs.push(performance.now() - c0);
      if (keep.length < R + S) keep.push(...out.slice(0, R + S - keep.length));
    }
    const issueSeconds = (performance.now() - t0) / 1000;
    const issueCpu = cpuSecondsSince(cpu0);
    const issueMainCpu = threadCpuSeconds() - main0;
    const issueMainQueued = threadRunqueueSeconds() - queued0;
    const issueWritten = bytesWritten() - written0;
    const count = await sg.orm.em.fork().count(Voucher, { programId });
    if (count !== N) throw new Error(`issued ${count} vouchers, expected ${N}`);
    rows.push({
      phase: "issue",
      count: N,
      seconds: Number(issueSeconds.toFixed(1)),
      "per second": Math.round(N / issueSeconds),
      "cpu s": Number(issueCpu.toFixed(1)),
      "per cpu-second": Math.round(N / issueCpu),
      "main-thread cpu s": Number(issueMainCpu.toFixed(1)),
      "main-thread waiting for a core s": Number(issueMainQueued.toFixed(1)),
      "waited for worker s": Number((prepareWaitMs / 1000).toFixed(1)),
      "written KB per voucher": Number((issueWritten / 1024 / N).toFixed(1)),
      "chunk p50 ms": Math.round(median(chunkMs)),
      "chunk p95 ms": Math.round(pct(chunkMs, 95)),
      target: "1,000,000 in ≤ 120 s",
      met: N >= 1_000_000 ? (issueSeconds <= 120 ? "yes" : "no") : "n/a (smaller run)",
    });

    // Redemption: activate the vouchers used, approve a few merchants, then redeem over HTTP.
    for (let i = 0; i < keep.length; i += 1000) {
      await sg.orm.em.fork().nativeUpdate(Voucher, { serialNumber: { $in: keep.slice(i, i + 1000).map((k) => k.serialNumber!) } }, { status: VoucherStatus.ACTIVE, activatedAt: new Date() });
    }
    const admin = { role: "admin" as const, sub: "bench-admin" };
    const merchants = Array.from({ length: 8 }, (_, i) => `BENCH-${i}`);
    for (const code of merchants) {
      const { id } = dataOf(await graphqlRequest(sg.url, `mutation ($i: RegisterMerchantInput!) { registerMerchant(input: $i) { id } }`, { i: { code, name: code, financialAddress: `mobile:2547000${code.slice(-1)}0000@mpesa` } }, admin)).registerMerchant;
      dataOf(await graphqlRequest(sg.url, `mutation ($id: ID!) { setMerchantStatus(id: $id, status: APPROVED) { status } }`, { id }, admin));
    }
    const serviceKeep = keep.splice(R, S);
    const scpu0 = process.cpuUsage();
    const s0 = performance.now();
    let sOk = 0;
    let sNext = 0;
    const sLat: number[] = [];
    await Promise.all(
      Array.from({ length: C }, async () => {
        for (let i = sNext++; i < serviceKeep.length; i = sNext++) {
          const code = merchants[i % merchants.length]!;
          const ctx = { viewer: createViewer({ sub: `till-${code}`, roles: ["merchant"], partnerId: code }), requestId: randomUUID(), ip: "127.0.0.1" } as unknown as SubgraphContext;
          const t = performance.now();
          await redeemVoucher(sg.orm.em.fork(), ctx, { secret: serviceKeep[i]!.secret });
          sLat.push(performance.now() - t);
          sOk++;
        }
      }),
    );
    const serviceSeconds = (performance.now() - s0) / 1000;
    const serviceCpu = cpuSecondsSince(scpu0);
    if (serviceKeep.length) {
      rows.push({
        phase: "redeem (service, no HTTP)",
        count: serviceKeep.length,
        seconds: Number(serviceSeconds.toFixed(1)),
        "per second": Math.round(sOk / serviceSeconds),
        "cpu s": Number(serviceCpu.toFixed(1)),
        "per cpu-second": Math.round(sOk / serviceCpu),
        "chunk p50 ms": Number(median(sLat).toFixed(1)),
        "chunk p95 ms": Number(pct(sLat, 95).toFixed(1)),
        target: "(diagnostic)",
        met: "",
      });
    }
    const tokens = await Promise.all(merchants.map((code) => tokenFor("merchant", { partnerId: code, sub: `till-${code}` })));
    const rcpu0 = process.cpuUsage();
    const r0 = performance.now();
    const client = keep.length ? await httpLoad({ url: sg.url, secrets: keep.map((k) => k.secret!), tokens, concurrency: C }) : { ok: 0, failed: 0, firstError: "", lat: [], cpuSeconds: 0 };
    const redeemSeconds = (performance.now() - r0) / 1000;
    const redeemCpu = cpuSecondsSince(rcpu0);
    const { ok, failed, firstError, lat } = client;
    const serverCpu = redeemCpu - client.cpuSeconds;
    const rate = Math.round(ok / redeemSeconds);
    if (keep.length) {
      rows.push({
        phase: "redeem (HTTP, secret)",
        count: keep.length,
        seconds: Number(redeemSeconds.toFixed(1)),
        "per second": rate,
        "cpu s": Number(redeemCpu.toFixed(1)),
        "per cpu-second": Math.round(ok / redeemCpu),
        "server cpu s": Number(serverCpu.toFixed(1)),
        "server per cpu-second": Math.round(ok / serverCpu),
        "chunk p50 ms": Number(median(lat).toFixed(1)),
        "chunk p95 ms": Number(pct(lat, 95).toFixed(1)),
        target: "≥ 1,000/s",
        met: keep.length >= 10_000 ? (rate >= 1000 ? "yes" : "no") : "n/a (smaller run)",
      });
    }
    if (failed) throw new Error(`${failed} redemptions failed; first: ${firstError}`);
    notes.push(
      `database: ${db.databaseUrl ? "PostgreSQL" : "SQLite file (WAL)"}; ${N} vouchers in chunks of ${CHUNK}; redemptions at concurrency ${C} over ${merchants.length} merchants, presence check off (it is a graph call to identity).`,
      "Redeem latencies are per request (p50/p95 columns); issue columns are per chunk of 1,000.",
      "Shared 2-core machine, other engineers' processes running: wall-clock figures are noisy. 'cpu s' is this process's CPU time (user + system, thread pool included; for HTTP redemption it includes the load generator's worker thread, 'server cpu s' excludes it): 'per cpu-second' is the rate one uncontended core would give.",
      `load average (1, 5, 15 min) at the start: ${loadAtStart.map((l) => l.toFixed(1)).join(" ")}; at the end: ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores`,
    );
    return { title: `vouchers: bulk issuance and redemption (${smoke ? "smoke" : "full"})`, rows, notes, data: { issueSeconds, redeemSeconds, ok, serviceOk: sOk } };
  } finally {
    await checkpointer?.terminate();
    await sg.stop();
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The background checkpointer of `--sqlite-background-checkpoint` (a worker thread with its own connection). */
function startCheckpointer(file: string): Worker {
  const code = `
    const { workerData } = require("node:worker_threads");
    const Database = require(workerData.libsql);
    const db = new Database(workerData.file);
    db.exec("pragma busy_timeout = 5000");
    setInterval(() => { try { db.exec("pragma wal_checkpoint(PASSIVE)"); } catch {} }, 100);
  `;
  return new Worker(code, { eval: true, workerData: { file, libsql: require.resolve("libsql") } });
}

/**
 * The HTTP load generator, in a worker thread so its CPU can be told apart from the server's: keep-alive
 * requests, `concurrency` at a time, each redeeming one secret. Returns the worker thread's own CPU.
 */
function httpLoad(input: { url: string; secrets: string[]; tokens: string[]; concurrency: number }): Promise<{ ok: number; failed: number; firstError: string; lat: number[]; cpuSeconds: number }> {
  const code = `
    const http = require("node:http");
    const { readFileSync } = require("node:fs");
    const { parentPort, workerData } = require("node:worker_threads");
    const { url, secrets, tokens, concurrency } = workerData;
    const cpu = () => { try { return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e9; } catch { return NaN; } };
    const cpu0 = cpu();
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const u = new URL(url);
    const lat = [];
    let ok = 0, failed = 0, firstError = "", next = 0;
    const redeemOne = (i) => new Promise((resolve) => {
      const body = JSON.stringify({ query: "mutation ($s: String!) { redeemVoucher(input: { secret: $s }) { id } }", variables: { s: secrets[i] } });
      const t = process.hrtime.bigint();
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: "POST", agent,
        headers: { "content-type": "application/json", authorization: "Bearer " + tokens[i % tokens.length], "content-length": Buffer.byteLength(body) } }, (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => {
          lat.push(Number(process.hrtime.bigint() - t) / 1e6);
          if (text.includes('"errors"')) { failed++; firstError ||= text.slice(0, 300); } else ok++;
          resolve();
        });
      });
      req.on("error", (e) => { failed++; firstError ||= String(e); resolve(); });
      req.end(body);
    });
    Promise.all(Array.from({ length: concurrency }, async () => { for (let i = next++; i < secrets.length; i = next++) await redeemOne(i); }))
      .then(() => { agent.destroy(); parentPort.postMessage({ ok, failed, firstError, lat, cpuSeconds: cpu() - cpu0 }); });
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: input });
    worker.once("message", (result) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once("error", reject);
  });
}
