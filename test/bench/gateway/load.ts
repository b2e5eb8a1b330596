/**
 * Load generation with Debian's `wrk` (C, one thread: it leaves the two shared cores to the
 * gateways), driven by a Lua script that gives every request its own `Authorization: Bearer <JWT>`
 * from a file of distinct tokens, so no gateway can merge requests across callers. wrk's `--timeout`
 * is raised so slow answers stay in the latency histogram instead of being dropped as timeouts.
 * Also: child processes that report their URL, and their peak RSS from /proc.
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Non-2xx answers, socket errors and timeouts together. */
  errors: number;
}

const LUA = `
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local f = io.open(os.getenv("BENCH_BODY"), "rb")
local body = f:read("*a")
f:close()
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", nil, { ["content-type"] = "application/json", ["authorization"] = "Bearer " .. tokens[(i % #tokens) + 1] }, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH_JSON {"requests":%d,"duration_us":%d,"errors":%d,"p50":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
`;

export interface LoadFiles {
  script: string;
  tokens: string;
  body: string;
}

export function writeLoadFiles(dir: string, body: string, tokens: string[]): LoadFiles {
  const files = { script: path.join(dir, "bench.lua"), tokens: path.join(dir, "tokens.txt"), body: path.join(dir, "body.json") };
  writeFileSync(files.script, LUA);
  writeFileSync(files.tokens, tokens.join("\n") + "\n");
  writeFileSync(files.body, body);
  return files;
}

export async function wrk(url: string, files: LoadFiles, opts: { connections: number; seconds: number }): Promise<LoadResult> {
  const { stdout } = await run(
    "wrk",
    ["-t1", `-c${opts.connections}`, `-d${opts.seconds}s`, "--timeout", "30s", "-s", files.script, url],
    { env: { ...process.env, BENCH_TOKENS: files.tokens, BENCH_BODY: files.body }, maxBuffer: 1 << 20 },
  ).catch((err: NodeJS.ErrnoException) => {
    // A fresh machine has no load generator: say which package to install rather than "spawn ENOENT".
    if (err.code === "ENOENT") throw new Error("the gateway benchmark needs Debian's wrk: apt-get install -y wrk");
    throw err;
  });
  const line = /BENCH_JSON (\{.*\})/.exec(stdout);
  if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
  const r = JSON.parse(line[1]!) as { requests: number; duration_us: number; errors: number; p50: number; p99: number; max: number };
  const seconds = r.duration_us / 1e6;
  return { requests: r.requests, seconds, rps: r.requests / seconds, p50Ms: r.p50 / 1000, p99Ms: r.p99 / 1000, maxMs: r.max / 1000, errors: r.errors };
}

export interface Child {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Peak resident set size so far (VmHWM), in MiB. */
  peakRssMiB(): number;
  /** CPU time used so far (user + system), in milliseconds. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Runs a TypeScript entry from source (scripts/ts-register.js) and waits for its `{"url": ...}` line. */
export function spawnChild(script: string, args: string[], opts: { nodeFlags?: string[]; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Child> {
  const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), "-r", path.join(REPO_ROOT, "scripts", "ts-register.js"), script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: "silent", APOLLO_TELEMETRY_DISABLED: "true", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} ${args.join(" ")} did not start:\n${out}`));
    }, opts.timeoutMs ?? 60_000);
    child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /\{"url":"([^"]+)"\}/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1]!,
        pid: child.pid!,
        child,
        peakRssMiB: () => {
          const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
          const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
          return Math.round(kb / 1024);
        },
        cpuMs: () => cpuMsOf(child.pid!),
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill("SIGTERM");
          const t = setTimeout(() => child.kill("SIGKILL"), 5_000);
          await exited;
          clearTimeout(t);
        },
      });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} ${args.join(" ")} exited with ${code}:\n${out}`));
    });
  });
}

/**
 * CPU time of a process from /proc/PID/stat (utime + stime, fields 14 and 15, in clock ticks of
 * 10 ms on Linux). On a shared, overloaded machine, CPU per operation is far steadier than RPS:
 * waiting for a core does not count.
 */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Node flags of the gateway's production start script (gateway/package.json), e.g. the young-generation size. */
export function gatewayNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "gateway", "package.json"), "utf8")) as { scripts?: Record<string, string> };
  const start = pkg.scripts?.start ?? "";
  return start.split(/\s+/).filter((w) => /^--max-(semi|old)-space-size=\d+$/.test(w));
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
