/**
 * `npm run bench -- load [--duration 300] [--clients 50] [--sample 5]` (or `-- load smoke`):
 * the whole graph as separate processes (five subgraphs + the gateway CLI; SQLite files, or
 * PostgreSQL / BullMQ when DATABASE_URL / REDIS_URL are set), N closed-loop clients for D seconds
 * mixing reads across every subgraph with writes (createRegistrant, updateRegistrant, idempotent
 * createDisbursementBatch). Reports p50/p99 per operation kind, errors, and the RSS of every process
 * sampled every few seconds: start, end, peak and a least-squares slope (MiB per minute) over the
 * samples after the first 20 % of the run (warm-up).
 */
import { startProcessStack, rssOf, type ProcessStack } from "../faults/infra";
import { codeCounts, createBatch, createRegistrant, fixture, readOne, readPage, runLoad, summarize, updateRegistrant } from "../faults/load";

export interface LoadOptions {
  durationS: number;
  clients: number;
  sampleS: number;
}

export function parseArgs(args: string[]): LoadOptions {
  const smoke = args.includes("smoke");
  const num = (flag: string, dflt: number) => {
    const i = args.indexOf(flag);
    return i >= 0 && args[i + 1] ? Number(args[i + 1]) : dflt;
  };
  return {
    durationS: num("--duration", Number(process.env.LOAD_DURATION_S ?? (smoke ? 8 : 300))),
    clients: num("--clients", Number(process.env.LOAD_CLIENTS ?? (smoke ? 10 : 50))),
    sampleS: num("--sample", smoke ? 1 : 5),
  };
}

export interface MemorySeries {
  process: string;
  startMiB: number;
  endMiB: number;
  peakMiB: number;
  slopeMiBPerMin: number;
  samples: number;
  /** Mean RSS of each minute of the run: a plateau reads as flat, a leak as a staircase. */
  perMinuteMiB: number[];
  /**
   * The live heap: the most the V8 heap held right after a full collection, per minute of the run
   * (empty for a minute without one). RSS moves with garbage and with the young generation's size; this
   * does not, so a leak shows here as a climb that does not level off.
   */
  liveHeapPerMinuteMiB: (number | null)[];
}

const MiB = 2 ** 20;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** Least-squares slope of (t ms, bytes) in MiB per minute. */
export function slope(points: [number, number][]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const num = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const den = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 60_000 / MiB;
}

function maxPerMinute(points: [number, number][], durationS: number): (number | null)[] {
  const minutes = Math.ceil(durationS / 60);
  const out: (number | null)[] = Array.from({ length: minutes }, () => null);
  for (const [t, mib] of points) {
    const m = Math.floor(t / 60_000);
    if (m >= 0 && m < minutes) out[m] = Math.max(out[m] ?? 0, mib);
  }
  return out;
}

function perMinute(points: [number, number][]): number[] {
  const minutes = new Map<number, number[]>();
  for (const [t, bytes] of points) {
    const m = Math.floor(t / 60_000);
    minutes.set(m, [...(minutes.get(m) ?? []), bytes]);
  }
  return [...minutes.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => round(v.reduce((s, x) => s + x, 0) / v.length / MiB));
}

export async function runLoadBench(opts: LoadOptions, existing?: ProcessStack) {
  const stack = existing ?? (await startProcessStack({ databaseUrl: process.env.DATABASE_URL, redisUrl: process.env.REDIS_URL, traceGc: true }));
  try {
    const f = await fixture(stack.gatewayUrl, 20);
    const created: string[] = [];
    const acked = new Map<string, string[]>();
    const ops = [readPage(f), readOne(f), createRegistrant(f, created), updateRegistrant(f), createBatch(f, `load-${Date.now()}`, acked)];
    const pids = stack.pids();
    const samples: Record<string, [number, number][]> = Object.fromEntries(Object.keys(pids).map((k) => [k, []]));
    const t0 = Date.now();
    // The GC trace is timed from the stack's start: shift it to the load's.
    const loadStart = t0 - stack.startedAt;
    const sample = () => {
      for (const [name, pid] of Object.entries(pids)) {
        const rss = rssOf(pid);
        if (rss !== null) samples[name]!.push([Date.now() - t0, rss]);
      }
    };
    sample();
    const timer = setInterval(sample, opts.sampleS * 1000);
    const run = await runLoad({ concurrency: opts.clients, durationMs: opts.durationS * 1000, ops });
    clearInterval(timer);
    sample();
    const warm = opts.durationS * 1000 * 0.2;
    const memory: MemorySeries[] = Object.entries(samples).map(([name, pts]) => ({
      process: name,
      startMiB: round(pts[0]![1] / MiB),
      endMiB: round(pts[pts.length - 1]![1] / MiB),
      peakMiB: round(Math.max(...pts.map((p) => p[1])) / MiB),
      slopeMiBPerMin: round(slope(pts.filter((p) => p[0] >= warm)), 2),
      samples: pts.length,
      perMinuteMiB: perMinute(pts),
      liveHeapPerMinuteMiB: maxPerMinute((stack.heapAfterFullGc()[name] ?? []).map(([t, mib]) => [t - loadStart, mib] as [number, number]), opts.durationS),
    }));
    // Writes the clients were told succeeded are all there, once.
    const count = await stack.request(`{ registrants(first: 1) { totalCount } }`, {}, { role: "admin" });
    const registrants = count.data?.registrants?.totalCount as number;
    return {
      run,
      perKind: summarize(run.attempts),
      errorCodes: codeCounts(run.attempts),
      memory,
      writes: { registrantsCreated: created.length, registrantsInDb: registrants, seeded: f.registrantIds.length, batchesAcked: acked.size },
      rps: run.attempts.length / (run.durationMs / 1000),
    };
  } finally {
    if (!existing) await stack.stop();
  }
}

export async function run(args: string[]) {
  const opts = parseArgs(args);
  const r = await runLoadBench(opts);
  const errors = r.run.attempts.filter((a) => !a.ok).length;
  const maxSlope = Math.max(...r.memory.map((m) => m.slopeMiBPerMin));
  return {
    title: `load: ${opts.clients} clients for ${opts.durationS} s through the gateway (5 subgraphs + gateway as processes, ${process.env.DATABASE_URL ? "PostgreSQL" : "SQLite"}, ${process.env.REDIS_URL ? "BullMQ" : "in-process jobs"})`,
    rows: [
      ...r.perKind.map((k) => ({ what: k.kind, requests: k.requests, errors: k.errors, "p50 ms": k.p50, "p99 ms": k.p99, "max ms": k.max })),
      ...r.memory.map((m) => ({ what: `RSS ${m.process}`, "start MiB": m.startMiB, "end MiB": m.endMiB, "peak MiB": m.peakMiB, "slope MiB/min": m.slopeMiBPerMin, samples: m.samples })),
    ],
    notes: [
      `${r.run.attempts.length} requests in ${round(r.run.durationMs / 1000)} s = ${round(r.rps)} req/s; errors ${errors} ${JSON.stringify(r.errorCodes)}`,
      `writes: ${r.writes.registrantsCreated} registrants created + ${r.writes.seeded} seeded, ${r.writes.registrantsInDb} in the database; ${r.writes.batchesAcked} batches acknowledged`,
      `memory: largest slope after warm-up ${maxSlope} MiB/min (RSS sampled every ${opts.sampleS} s)`,
      ...r.memory.map((m) => `RSS ${m.process}, mean per minute (MiB): ${m.perMinuteMiB.join(", ")}`),
      ...r.memory.map((m) => `live heap ${m.process} (after full GC, max per minute, MiB): ${m.liveHeapPerMinuteMiB.map((x) => x ?? "–").join(", ")}`),
    ],
    data: { options: opts, perKind: r.perKind, memory: r.memory, errorCodes: r.errorCodes, writes: r.writes },
  };
}
