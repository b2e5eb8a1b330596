#!/usr/bin/env node
/**
 * `npm run bench -- NAME [args...]`: runs test/bench/NAME.bench.ts (from source), prints its table and
 * writes the result as JSON to test/bench/results/NAME-<timestamp>.json. `NAME-PART` runs NAME with
 * PART as its first argument (`registry-import`, `registry-search`, `identity-auth`).
 *
 * A benchmark module exports `run(args: string[]): Promise<BenchResult>` where
 *   BenchResult = { title: string; rows: Record<string, string | number>[]; notes?: string[]; data?: unknown }
 * Quote medians and ratios measured side by side in one run: the machines are shared and noisy.
 */
require("./ts-register");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const BENCH_DIR = path.join(ROOT, "test", "bench");

async function main() {
  let [name, ...rest] = process.argv.slice(2);
  const available = fs.readdirSync(BENCH_DIR).filter((f) => f.endsWith(".bench.ts")).map((f) => f.replace(/\.bench\.ts$/, ""));
  // "registry-import" = "registry import": the issues name some benchmarks by block and part.
  const dash = name && !available.includes(name) ? name.indexOf("-") : -1;
  if (dash > 0 && available.includes(name.slice(0, dash))) {
    rest = [name.slice(dash + 1), ...rest];
    name = name.slice(0, dash);
  }
  if (!name || !available.includes(name)) {
    console.error(`usage: npm run bench -- NAME\navailable: ${available.join(", ") || "(none yet)"}`);
    process.exit(2);
  }
  process.env.LOG_LEVEL = process.env.LOG_LEVEL || "silent";
  process.env.APOLLO_TELEMETRY_DISABLED = "true";
  const started = new Date();
  const result = await require(path.join(BENCH_DIR, `${name}.bench.ts`)).run(rest);
  console.log(`\n${result.title}`);
  console.table(result.rows);
  for (const note of result.notes || []) console.log(`- ${note}`);
  const file = path.join(BENCH_DIR, "results", `${name}-${started.toISOString().replace(/[:.]/g, "-")}.json`);
  const machine = { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0] && os.cpus()[0].model, memGiB: Math.round(os.totalmem() / 2 ** 30) };
  fs.writeFileSync(file, JSON.stringify({ name, startedAt: started.toISOString(), args: rest, machine, ...result }, null, 2));
  console.log(`\nwrote ${path.relative(ROOT, file)}`);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
