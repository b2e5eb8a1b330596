/**
 * Real processes for the fault and load runs: a private PostgreSQL and a private Redis (never the
 * shared ones on 5432/6379: we stop and start these), and the whole graph as separate processes
 * (five subgraphs + the gateway CLI) on fixed free ports, so that one of them can be killed and
 * restarted at the same address while the others keep serving.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chownSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createTestDatabase, dataOf, graphqlRequest, type Caller, type GraphQLResult, type TestDatabase } from "@g2p/kit";
import { composeSupergraph, spawnServer, type SpawnedServer, type SubgraphName } from "../src";

const run = promisify(execFile);
export const SUBGRAPH_NAMES: SubgraphName[] = ["registry", "identity", "eligibility", "payments", "vouchers"];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL (initdb + pg_ctl in a temp dir, as the postgres user when we are root)

const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";

export interface PrivatePostgres {
  url: string;
  port: number;
  stop(mode?: "fast" | "immediate"): Promise<void>;
  start(): Promise<void>;
  /** Removes the cluster (stops it first). */
  destroy(): Promise<void>;
}

function asPostgres(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  return root ? run("runuser", ["-u", "postgres", "--", cmd, ...args]) : run(cmd, args);
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), "g2p-faults-pg-"));
  if (typeof process.getuid === "function" && process.getuid() === 0) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = path.join(dir, "data");
  const port = await freePort();
  await asPostgres(path.join(PG_BIN, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const pgctl = (args: string[]) => asPostgres(path.join(PG_BIN, "pg_ctl"), ["-D", data, ...args]);
  const start = async () => {
    await pgctl(["-o", opts, "-l", path.join(dir, "log"), "-w", "-t", "60", "start"]);
  };
  const stop = async (mode: "fast" | "immediate" = "fast") => {
    await pgctl(["-m", mode, "-w", "-t", "60", "stop"]);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    async destroy() {
      await stop("immediate").catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Redis (no persistence: a restart loses everything in it)

export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "g2p-faults-redis-"));
  let child: ReturnType<typeof spawn> | null = null;
  const ping = async () => (await run("redis-cli", ["-p", String(port), "ping"])).stdout.trim() === "PONG";
  const start = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
    await waitUntil(ping, 10_000, `redis on ${port}`);
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
    child = null;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop };
}

// ---------------------------------------------------------------------------------------------
// The graph as processes

/** Resident set size of a process in bytes (Linux /proc), or null when it is gone. */
export function rssOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

interface SubgraphProc {
  name: SubgraphName;
  port: number;
  env: Record<string, string>;
  db: TestDatabase;
  server: SpawnedServer | null;
}

export interface ProcessStack {
  gatewayUrl: string;
  request<T = any>(query: string, variables?: Record<string, unknown>, caller?: Caller): Promise<GraphQLResult<T>>;
  /** SIGKILL one subgraph; resolves when it is dead. */
  kill(name: SubgraphName): Promise<void>;
  /** Starts it again on the same port over the same database; resolves when it listens (ms taken). */
  restart(name: SubgraphName): Promise<number>;
  /** pids of every process (gateway + subgraphs) now running. */
  pids(): Record<string, number>;
  /** With `traceGc`: per process, (ms since `startedAt`, MiB of heap left) after each full collection. */
  heapAfterFullGc(): Record<string, [number, number][]>;
  /** When the stack began starting (Date.now()): the time base of heapAfterFullGc. */
  startedAt: number;
  subgraphUrl(name: SubgraphName): string;
  stop(): Promise<void>;
}

export interface ProcessStackOptions {
  /**
   * Start every process with V8's `--trace-gc` and keep, per process, the heap size left after each
   * full (mark-compact) collection: the live heap, which a leak makes climb and garbage does not.
   */
  traceGc?: boolean;
  /** Base PostgreSQL URL (a database per subgraph is created on it); unset = SQLite files. */
  databaseUrl?: string;
  redisUrl?: string;
  env?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
}

export async function startProcessStack(opts: ProcessStackOptions = {}): Promise<ProcessStack> {
  const dir = mkdtempSync(path.join(tmpdir(), "g2p-procstack-"));
  const gatewayPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
  const prefix = `faults-${process.pid}-${Date.now()}`;
  const procs: Record<string, SubgraphProc> = {};
  for (const name of SUBGRAPH_NAMES) {
    const db = await createTestDatabase(opts.databaseUrl ?? "");
    procs[name] = {
      name,
      port: await freePort(),
      db,
      server: null,
      env: {
        HOST: "127.0.0.1",
        DATA_DIR: path.join(dir, name),
        DATABASE_URL: db.databaseUrl ?? "",
        REDIS_URL: opts.redisUrl ?? "",
        JOBS_QUEUE_PREFIX: prefix,
        GRAPH_URL: gatewayUrl,
        // "info" carries the listening line spawnServer waits for.
        LOG_LEVEL: "info",
        ...opts.env,
      },
    };
  }
  const gcFlags = opts.traceGc ? ["--trace-gc"] : [];
  const heaps: Record<string, [number, number][]> = {};
  const stackStart = Date.now();
  // Only the URL line was needed: stop collecting output (a long run would pile it up here), but read
  // the collector's lines when asked ("… Mark-Compact 180.2 (200.1) -> 120.3 (190.0) MB, …").
  const quiet = (name: string, child: ChildProcess) => {
    child.stdout!.removeAllListeners("data");
    child.stderr!.removeAllListeners("data");
    child.stderr!.resume();
    if (!opts.traceGc) return void child.stdout!.resume();
    let rest = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        const m = /Mark-Compact(?: \([a-z ]+\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \(/.exec(line);
        if (m) (heaps[name] ??= []).push([Date.now() - stackStart, Number(m[1])]);
      }
    });
  };
  const startOne = async (p: SubgraphProc) => {
    const t0 = Date.now();
    p.server = await spawnServer(path.join("subgraphs", p.name, "src", "main.ts"), [], { ...p.env, PORT: String(p.port) }, 120_000, gcFlags);
    quiet(p.name, p.server.child);
    return Date.now() - t0;
  };
  // Two at a time: the machine is shared.
  const list = Object.values(procs);
  for (let i = 0; i < list.length; i += 2) await Promise.all(list.slice(i, i + 2).map(startOne));
  const services = await Promise.all(
    list.map(async (p) => ({ name: p.name, url: p.server!.url, sdl: dataOf(await graphqlRequest(p.server!.url, "{ _service { sdl } }"))._service.sdl as string })),
  );
  const supergraphFile = path.join(dir, "supergraph.graphql");
  writeFileSync(supergraphFile, composeSupergraph(services));
  const gateway = await spawnServer(path.join("gateway", "src", "main.ts"), ["--supergraph", supergraphFile, "--port", String(gatewayPort), "--host", "127.0.0.1"], {
    SUPERGRAPH_WATCH: "false",
    LOG_LEVEL: "info",
    ...opts.gatewayEnv,
  }, 120_000, gcFlags);
  quiet("gateway", gateway.child);

  return {
    gatewayUrl,
    request: (query, variables, caller) => graphqlRequest(gatewayUrl, query, variables, caller),
    async kill(name) {
      await procs[name]!.server?.kill("SIGKILL");
      procs[name]!.server = null;
    },
    restart: (name) => startOne(procs[name]!),
    pids() {
      const out: Record<string, number> = { gateway: gateway.child.pid! };
      for (const p of list) if (p.server?.child.pid) out[p.name] = p.server.child.pid;
      return out;
    },
    heapAfterFullGc: () => heaps,
    startedAt: stackStart,
    subgraphUrl: (name) => `http://127.0.0.1:${procs[name]!.port}/graphql`,
    async stop() {
      await gateway.kill("SIGKILL");
      await Promise.all(list.map((p) => p.server?.kill("SIGKILL")));
      await Promise.all(list.map((p) => p.db.drop().catch(() => {})));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
