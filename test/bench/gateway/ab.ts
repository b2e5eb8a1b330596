/**
 * A/B of one change to our gateway, interleaved on the same subgraphs:
 *
 *   node -r ./scripts/ts-register.js test/bench/gateway/ab.ts A B [--rounds 4] [--seconds 10] [--connections 50]
 *
 * A and B are each `SRC_DIR` (a copy of gateway/src; `-` for the checkout's), optionally followed by
 * `+ENV=VALUE,...` and `@NODE_FLAG;NODE_FLAG` (default: the start script's flags), e.g.
 * `- +TOKEN_CACHE_SIZE=0` against `-`. Rounds alternate A, B, B, A so neither side is always
 * first; prints per-round RPS, p99 and gateway CPU ms per operation, and the paired B/A ratios.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { composeServices } from "@apollo/composition";
import { signDevToken } from "@g2p/kit/auth";
import { parse } from "graphql";
import { gatewayNodeFlags, median, spawnChild, writeLoadFiles, wrk, type Child } from "./load";
import { HEAVY_BODY } from "./query";
import { SUBGRAPH_NAMES, SDL } from "./subgraphs";

interface Side {
  label: string;
  src?: string;
  env: Record<string, string>;
  flags: string[];
}

function side(spec: string): Side {
  const [main, ...rest] = spec.split(/(?=[+@])/);
  const env: Record<string, string> = {};
  let flags = gatewayNodeFlags();
  for (const part of rest) {
    if (part.startsWith("+")) for (const kv of part.slice(1).split(",")) env[kv.split("=")[0]!] = kv.slice(kv.indexOf("=") + 1);
    if (part.startsWith("@")) flags = part.slice(1).split(";").filter(Boolean);
  }
  return { label: spec, src: main === "-" ? undefined : path.resolve(main!), env, flags };
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const [a, b] = [side(args[0] ?? "-"), side(args[1] ?? "-")];
  const rounds = opt("rounds", 4);
  const seconds = opt("seconds", 10);
  const connections = opt("connections", 50);
  const dir = mkdtempSync(path.join(tmpdir(), "g2p-ab-"));
  const sg = await spawnChild(path.join(__dirname, "subgraphs.ts"), []);
  const children: Child[] = [sg];
  try {
    const c = composeServices(SUBGRAPH_NAMES.map((name) => ({ name, url: `${sg.url}/${name}`, typeDefs: parse(SDL[name]) })));
    writeFileSync(`${dir}/sg.graphql`, c.supergraphSdl!);
    const start = (s: Side) =>
      spawnChild(path.join(__dirname, "gateways.ts"), ["ours", `${dir}/sg.graphql`, ...(s.src ? [s.src] : [])], { nodeFlags: s.flags, env: s.env });
    const gws = [await start(a), await start(b)];
    children.push(...gws);
    const tokens = await Promise.all(Array.from({ length: 10_000 }, (_, i) => signDevToken({ sub: `ab-${i}`, roles: ["admin"] })));
    const files = writeLoadFiles(dir, HEAVY_BODY, tokens);
    for (const g of gws) await wrk(g.url, files, { connections, seconds: 5 });
    const res: Array<Array<{ rps: number; p99: number; cpu: number }>> = [[], []];
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const cpu0 = gws[i]!.cpuMs();
        const l = await wrk(gws[i]!.url, files, { connections, seconds });
        res[i]!.push({ rps: l.rps, p99: l.p99Ms, cpu: (gws[i]!.cpuMs() - cpu0) / Math.max(l.requests, 1) });
      }
      const [x, y] = [res[0]![r]!, res[1]![r]!];
      console.log(`round ${r + 1}: A ${x.rps.toFixed(1)} rps p99 ${x.p99.toFixed(0)} cpu ${x.cpu.toFixed(1)} | B ${y.rps.toFixed(1)} rps p99 ${y.p99.toFixed(0)} cpu ${y.cpu.toFixed(1)} | B/A rps ${(y.rps / x.rps).toFixed(2)} cpu ${(y.cpu / x.cpu).toFixed(2)}`);
    }
    const ratio = (k: "rps" | "cpu" | "p99") => median(res[1]!.map((y, r) => y[k] / res[0]![r]![k])).toFixed(2);
    console.log(`A=${a.label} B=${b.label} c=${connections}: median B/A rps ${ratio("rps")}, p99 ${ratio("p99")}, CPU ms/op ${ratio("cpu")}; RSS A ${gws[0]!.peakRssMiB()} B ${gws[1]!.peakRssMiB()} MiB`);
  } finally {
    await Promise.all(children.map((ch) => ch.stop()));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
