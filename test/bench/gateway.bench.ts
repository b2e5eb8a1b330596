/**
 * `npm run bench -- gateway [--smoke] [--rounds N] [--seconds S] [--warmup S] [--connections 10,50]`
 *
 * The public federation-gateway benchmark's heavy query against its four subgraphs (our own
 * implementation, test/bench/gateway/), through three gateways side by side on loopback:
 *   ours   our gateway with every feature on (JWT verified per request, limits, metrics), started
 *          with the Node flags of its production start script (gateway/package.json)
 *   stock  @apollo/gateway with default settings in @apollo/server's standalone server
 *   hive   @graphql-hive/gateway's runtime, default settings, one process
 * Each gateway and the subgraphs run in their own process (peak RSS is the gateway's own, VmHWM).
 * Every request carries its own JWT, forwarded to the subgraphs. Before loading, the three answers
 * are compared: they must be identical.
 *
 * The machine is shared and noisy, so gateways are measured interleaved: every round runs each
 * gateway once (the order rotates), and the table shows medians over rounds plus per-round ratios.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { composeServices } from "@apollo/composition";
import { signDevToken } from "@g2p/kit/auth";
import { parse } from "graphql";
import { GATEWAY_KINDS, type GatewayKind } from "./gateway/gateways";
import { gatewayNodeFlags, median, spawnChild, writeLoadFiles, wrk, type Child, type LoadResult } from "./gateway/load";
import { HEAVY_BODY } from "./gateway/query";
import { SUBGRAPH_NAMES, SDL, type SubgraphStats } from "./gateway/subgraphs";

type Row = Record<string, string | number>;

export interface GatewayBenchOptions {
  smoke: boolean;
  rounds: number;
  seconds: number;
  warmup: number;
  connections: number[];
}

export function parseArgs(args: string[]): GatewayBenchOptions {
  const value = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const smoke = args.includes("--smoke");
  return {
    smoke,
    rounds: Number(value("rounds") ?? (smoke ? 1 : 3)),
    seconds: Number(value("seconds") ?? (smoke ? 3 : 20)),
    warmup: Number(value("warmup") ?? (smoke ? 1 : 5)),
    connections: (value("connections") ?? (smoke ? "4" : "50")).split(",").map(Number),
  };
}

async function post(url: string, token: string): Promise<{ status: number; body: unknown; bytes: number }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: HEAVY_BODY });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text), bytes: Buffer.byteLength(text) };
}

async function stats(subgraphsUrl: string): Promise<SubgraphStats> {
  return (await (await fetch(`${subgraphsUrl}/stats`)).json()) as SubgraphStats;
}

const callsOf = (s: SubgraphStats) => Object.values(s.calls).reduce((a, b) => a + b, 0);

export interface GatewayBenchResult {
  title: string;
  rows: Row[];
  notes: string[];
  data: {
    options: GatewayBenchOptions;
    responseBytes: number;
    identical: boolean;
    runs: Array<{ round: number; connections: number; gateway: GatewayKind; load: LoadResult; callsPerOp: number; representationsPerOp: number; distinctRepresentationsPerOp: number; unauthenticatedCalls: number; loadavg: number; cpuMsPerOp: number; subgraphCpuMsPerOp: number }>;
    peakRssMiB: Record<GatewayKind, number>;
    perOp: Record<GatewayKind, { calls: number; representations: number; distinct: number }>;
    nodeFlags: string[];
  };
}

export async function run(args: string[]): Promise<GatewayBenchResult> {
  const options = parseArgs(args);
  const dir = mkdtempSync(path.join(tmpdir(), "g2p-bench-gateway-"));
  const here = path.join(__dirname, "gateway");
  const children: Child[] = [];
  try {
    const subgraphs = await spawnChild(path.join(here, "subgraphs.ts"), []);
    children.push(subgraphs);
    const composed = composeServices(SUBGRAPH_NAMES.map((name) => ({ name, url: `${subgraphs.url}/${name}`, typeDefs: parse(SDL[name]) })));
    if (composed.errors || !composed.supergraphSdl) throw new Error(`composition failed: ${composed.errors?.map((e) => e.message).join("\n")}`);
    const supergraphFile = path.join(dir, "supergraph.graphql");
    writeFileSync(supergraphFile, composed.supergraphSdl);

    const nodeFlags = gatewayNodeFlags();
    const gateways = {} as Record<GatewayKind, Child>;
    for (const kind of GATEWAY_KINDS) {
      gateways[kind] = await spawnChild(path.join(here, "gateways.ts"), [kind, supergraphFile], {
        nodeFlags: kind === "ours" ? nodeFlags : [],
        // Hive's logger rejects pino's "silent"; the stock and Hive servers run as in production.
        env: kind === "ours" ? {} : { LOG_LEVEL: "error", NODE_ENV: "production" },
      });
      children.push(gateways[kind]);
    }

    // Correctness first: the same answer from all three, with no errors.
    const probeToken = await signDevToken({ sub: "bench-probe", roles: ["admin"] });
    const answers = {} as Record<GatewayKind, Awaited<ReturnType<typeof post>>>;
    for (const kind of GATEWAY_KINDS) answers[kind] = await post(gateways[kind].url, probeToken);
    for (const kind of GATEWAY_KINDS) {
      const a = answers[kind];
      if (a.status !== 200 || (a.body as { errors?: unknown }).errors) throw new Error(`${kind} answered ${a.status}: ${JSON.stringify(a.body).slice(0, 500)}`);
    }
    const identical = GATEWAY_KINDS.every((k) => isDeepStrictEqual(answers[k].body, answers.ours.body));
    if (!identical) {
      const differing = GATEWAY_KINDS.filter((k) => !isDeepStrictEqual(answers[k].body, answers.stock.body));
      throw new Error(`the gateways answered differently: ${differing.join(", ")} differ from stock`);
    }

    // Subgraph calls and representations per operation, counted exactly: a few requests one at a
    // time (under load, calls of requests still in flight when a run ends would skew the counts).
    const perOp = {} as Record<GatewayKind, { calls: number; representations: number; distinct: number }>;
    const PROBES = 3;
    for (const kind of GATEWAY_KINDS) {
      await stats(subgraphs.url);
      for (let i = 0; i < PROBES; i++) await post(gateways[kind].url, await signDevToken({ sub: `bench-count-${i}`, roles: ["admin"] }));
      const s = await stats(subgraphs.url);
      perOp[kind] = { calls: callsOf(s) / PROBES, representations: s.representations / PROBES, distinct: s.distinctRepresentations / PROBES };
    }

    // Distinct tokens, enough that no token repeats within a run at the rates seen here.
    const perRun = Math.max(...options.connections) * 20 + Math.ceil(options.seconds * 600);
    const tokens = await Promise.all(Array.from({ length: perRun }, (_, i) => signDevToken({ sub: `bench-${i}`, roles: ["admin"] })));
    const files = writeLoadFiles(dir, HEAVY_BODY, tokens);

    for (const kind of GATEWAY_KINDS) await wrk(gateways[kind].url, files, { connections: Math.max(...options.connections), seconds: options.warmup });
    await stats(subgraphs.url);

    const runs: GatewayBenchResult["data"]["runs"] = [];
    for (let round = 1; round <= options.rounds; round++) {
      for (const connections of options.connections) {
        const order = GATEWAY_KINDS.map((_, i) => GATEWAY_KINDS[(i + round - 1) % GATEWAY_KINDS.length]!);
        for (const kind of order) {
          await stats(subgraphs.url);
          const cpu0 = gateways[kind].cpuMs();
          const subgraphCpu0 = subgraphs.cpuMs();
          const load = await wrk(gateways[kind].url, files, { connections, seconds: options.seconds });
          const cpuMs = gateways[kind].cpuMs() - cpu0;
          const subgraphCpuMs = subgraphs.cpuMs() - subgraphCpu0;
          const s = await stats(subgraphs.url);
          const ops = Math.max(load.requests, 1);
          runs.push({
            round,
            connections,
            gateway: kind,
            load,
            callsPerOp: callsOf(s) / ops,
            representationsPerOp: s.representations / ops,
            distinctRepresentationsPerOp: s.distinctRepresentations / ops,
            unauthenticatedCalls: s.unauthenticated,
            loadavg: loadavg()[0]!,
            cpuMsPerOp: cpuMs / ops,
            subgraphCpuMsPerOp: subgraphCpuMs / ops,
          });
        }
      }
    }
    const peakRssMiB = Object.fromEntries(GATEWAY_KINDS.map((k) => [k, gateways[k].peakRssMiB()])) as Record<GatewayKind, number>;

    const rows: Row[] = [];
    const notes: string[] = [];
    const fmt = (x: number, d = 0) => Number(x.toFixed(d));
    for (const connections of options.connections) {
      const of = (kind: GatewayKind) => runs.filter((r) => r.gateway === kind && r.connections === connections);
      // A ratio needs both sides measured; a run that completed nothing gives none.
      const ratio = (a: number, b: number) => (a > 0 && b > 0 ? a / b : NaN);
      const rpsOf = (kind: GatewayKind, round: number) => of(kind).find((r) => r.round === round)!.load.rps;
      const p99Of = (kind: GatewayKind, round: number) => of(kind).find((r) => r.round === round)!.load.p99Ms;
      const cpuOf = (kind: GatewayKind, round: number) => of(kind).find((r) => r.round === round)!.cpuMsPerOp;
      for (const kind of GATEWAY_KINDS) {
        const rs = of(kind);
        const ratios = rs.map((r) => ratio(r.load.rps, rpsOf("stock", r.round)));
        rows.push({
          gateway: kind,
          connections,
          RPS: fmt(median(rs.map((r) => r.load.rps))),
          "p50 ms": fmt(median(rs.map((r) => r.load.p50Ms)), 1),
          "p99 ms": fmt(median(rs.map((r) => r.load.p99Ms)), 1),
          "RPS vs stock": kind === "stock" ? 1 : fmt(median(ratios), 2),
          "p99 vs stock": kind === "stock" ? 1 : fmt(median(rs.map((r) => ratio(r.load.p99Ms, p99Of("stock", r.round)))), 2),
          "CPU ms/op": fmt(median(rs.map((r) => r.cpuMsPerOp)), 1),
          "CPU vs stock": kind === "stock" ? 1 : fmt(median(rs.map((r) => ratio(r.cpuMsPerOp, cpuOf("stock", r.round)))), 2),
          "subgraph CPU ms/op": fmt(median(rs.map((r) => r.subgraphCpuMsPerOp)), 1),
          "peak RSS MiB": peakRssMiB[kind],
          "subgraph calls/op": fmt(perOp[kind].calls, 1),
          "reps sent/op": fmt(perOp[kind].representations, 0),
          errors: rs.reduce((a, r) => a + r.load.errors, 0),
        });
      }
      for (const kind of ["ours", "hive"] as const) {
        const ratios = of(kind).map((r) => ratio(r.load.rps, rpsOf("stock", r.round)));
        notes.push(`c=${connections} ${kind}/stock RPS per round: ${ratios.map((x) => x.toFixed(2)).join(", ")}`);
      }
      const vsHive = of("ours").map((r) => ratio(r.load.rps, of("hive").find((h) => h.round === r.round)!.load.rps));
      notes.push(`c=${connections} ours/hive RPS per round: ${vsHive.map((x) => x.toFixed(2)).join(", ")}`);
    }
    const unauth = runs.reduce((a, r) => a + r.unauthenticatedCalls, 0);
    notes.push(`answers identical across the three gateways: ${identical} (${answers.ours.bytes} bytes each)`);
    notes.push(`subgraph calls without the caller's authorization header: ${unauth}`);
    notes.push(`load average (1 min) during the rounds: ${median(runs.map((r) => r.loadavg)).toFixed(2)} median, ${Math.max(...runs.map((r) => r.loadavg)).toFixed(2)} max`);
    notes.push(`wrk -t1, ${options.rounds} round(s) x ${options.seconds} s per gateway after ${options.warmup} s warm-up; order rotated each round; our gateway's node flags: ${nodeFlags.join(" ") || "(none)"}`);
    return {
      title: `Gateway benchmark: heavy query, ${options.smoke ? "SMOKE run (numbers meaningless)" : "side by side"}, each request with its own JWT`,
      rows,
      notes,
      data: { options, responseBytes: answers.ours.bytes, identical, runs, peakRssMiB, perOp, nodeFlags },
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
