/**
 * Profiling one gateway of the benchmark on its own:
 *
 *   node -r ./scripts/ts-register.js test/bench/gateway/profile.ts ours|stock|hive [prof] [SECONDS]
 *
 * starts the bench subgraphs and the gateway (with `--cpu-prof` when `prof` is given), loads it with
 * wrk at 10 connections, prints RPS, latency and the gateway's CPU milliseconds per operation, and
 * the folder holding the .cpuprofile (open it in Chrome DevTools, or summarise self time by package).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { composeServices } from "@apollo/composition";
import { signDevToken } from "@g2p/kit/auth";
import { parse } from "graphql";
import { gatewayNodeFlags, spawnChild, writeLoadFiles, wrk } from "./load";
import { HEAVY_BODY } from "./query";
import { SUBGRAPH_NAMES, SDL } from "./subgraphs";
async function main() {
  const kind = process.argv[2] ?? "ours";
  const dir = mkdtempSync(path.join(tmpdir(), "g2p-prof-"));
  const sg = await spawnChild(path.join(__dirname, "subgraphs.ts"), []);
  const c = composeServices(SUBGRAPH_NAMES.map((name) => ({ name, url: `${sg.url}/${name}`, typeDefs: parse(SDL[name]) })));
  writeFileSync(`${dir}/sg.graphql`, c.supergraphSdl!);
  const flags = process.argv[3] === "prof" ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
  const gw = await spawnChild(path.join(__dirname, "gateways.ts"), [kind, `${dir}/sg.graphql`], { nodeFlags: [...flags, ...(kind === "ours" ? gatewayNodeFlags() : [])], env: { LOG_LEVEL: kind === "ours" ? "silent" : "error" } });
  const tokens = await Promise.all(Array.from({ length: 3000 }, (_, i) => signDevToken({ sub: `p${i}`, roles: ["admin"] })));
  const files = writeLoadFiles(dir, HEAVY_BODY, tokens);
  await wrk(gw.url, files, { connections: 10, seconds: 3 });
  const cpu0 = gw.cpuMs();
  const r = await wrk(gw.url, files, { connections: 10, seconds: Number(process.argv[4] ?? 10) });
  console.log(kind, JSON.stringify(r), "gateway CPU ms/op", ((gw.cpuMs() - cpu0) / r.requests).toFixed(2));
  await gw.stop();
  await sg.stop();
  console.log(dir);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
