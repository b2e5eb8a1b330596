#!/usr/bin/env node
/**
 * `npm start`: every subgraph in its own process, then the gateway, on the embedded defaults
 * (SQLite files under ./data, in-process jobs). Ctrl-C stops them all.
 *
 *   --ephemeral   every process on a free port (the gateway gets a generated supergraph.yaml)
 *   --smoke       start, run one query spanning all five subgraphs, stop; exit 0 if it answered
 *   --demo        (demo data arrives with the clients issue; today it only says so)
 *
 * Each process's JSON log goes to data/logs/NAME.log; this window shows one line per process.
 */
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const YAML = require("yaml");

const ROOT = path.resolve(__dirname, "..");
const args = new Set(process.argv.slice(2));
const ephemeral = args.has("--ephemeral") || args.has("--smoke");
const DATA_DIR = path.resolve(process.env.DATA_DIR || path.join(ROOT, "data"));
const LOG_DIR = path.join(DATA_DIR, "logs");
const SUBGRAPHS = { registry: 4001, identity: 4002, eligibility: 4003, payments: 4004, vouchers: 4005 };
const GATEWAY_PORT = ephemeral ? 0 : Number(process.env.PORT || 4000);

fs.mkdirSync(LOG_DIR, { recursive: true });
const children = [];
let stopping = false;

function start(name, script, scriptArgs, env) {
  const log = fs.createWriteStream(path.join(LOG_DIR, `${name}.log`), { flags: "a" });
  const child = spawn(process.execPath, [script, ...scriptArgs], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push({ name, child });
  return new Promise((resolve, reject) => {
    let seen = "";
    let announced = false;
    const onChunk = (chunk) => {
      log.write(chunk);
      if (announced) return;
      seen += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(seen);
      if (match) {
        announced = true;
        resolve(match[1]);
      }
    };
    child.stdout.on("data", onChunk);
    child.stderr.on("data", onChunk);
    child.once("exit", (code, signal) => {
      if (!announced) reject(new Error(`${name} exited (${signal || code}) before listening:\n${seen.trim().split("\n").slice(-15).join("\n")}`));
      else if (!stopping) {
        console.error(`\n${name} stopped unexpectedly (${signal || code}); see ${path.join(LOG_DIR, `${name}.log`)}. Stopping everything.`);
        stopAll(1);
      }
    });
  });
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill("SIGKILL"), 8000);
          child.once("exit", () => (clearTimeout(timer), resolve()));
          child.kill("SIGTERM");
        }),
    ),
  );
  process.exit(code);
}

/** The supergraph.yaml with each of our subgraphs' actual URL, for --ephemeral. */
function runtimeYaml(urls) {
  const yamlPath = path.join(ROOT, "schema", "supergraph.yaml");
  const config = YAML.parse(fs.readFileSync(yamlPath, "utf8"));
  for (const [name, entry] of Object.entries(config.subgraphs)) {
    if (urls[name]) entry.routing_url = urls[name];
    if (entry.schema && entry.schema.file) entry.schema.file = path.resolve(path.dirname(yamlPath), entry.schema.file);
  }
  const out = path.join(DATA_DIR, "supergraph.runtime.yaml");
  fs.writeFileSync(out, YAML.stringify(config));
  return out;
}

const SMOKE_QUERY = `query { registrants(first: 5) { totalCount nodes { id kind identity { status } enrollments { state } payments { amount } vouchers { status } } } }`;

async function smoke(gatewayUrl) {
  require("reflect-metadata");
  const { signDevToken } = require(path.join(ROOT, "subgraphs/kit/dist/auth"));
  const token = await signDevToken({ sub: "smoke", roles: ["admin"] });
  const post = (query) =>
    fetch(gatewayUrl, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) }).then((r) => r.json());
  const created = await post(`mutation { createRegistrant(input: { kind: INDIVIDUAL, givenName: "Smoke" }) { id } }`);
  const body = await post(SMOKE_QUERY);
  console.log(JSON.stringify(body));
  return !body.errors && !created.errors && body.data.registrants.totalCount >= 1;
}

async function main() {
  if (args.has("--demo")) console.log("Note: --demo data comes with the clients issue; starting with an empty database.");
  process.on("SIGINT", () => stopAll(0));
  process.on("SIGTERM", () => stopAll(0));
  const urls = {};
  await Promise.all(
    Object.entries(SUBGRAPHS).map(async ([name, port]) => {
      const envPort = process.env[`${name.toUpperCase()}_PORT`];
      urls[name] = await start(name, path.join("subgraphs", name, "dist", "main.js"), [], { PORT: String(ephemeral ? 0 : envPort || port) });
      console.log(`  ${name.padEnd(12)} ${urls[name]}`);
    }),
  );
  const supergraph = ephemeral ? runtimeYaml(urls) : path.join(ROOT, "schema", "supergraph.yaml");
  const gatewayUrl = await start("gateway", path.join("gateway", "dist", "main.js"), ["--supergraph", supergraph, "--port", String(GATEWAY_PORT)], {});
  const base = gatewayUrl.replace(/\/graphql$/, "");
  console.log(`
G2P Graph is up: ${gatewayUrl}
  health ${base}/health   ready ${base}/ready   metrics ${base}/metrics
  logs   ${LOG_DIR}

Get a development token and ask the graph something:
  TOKEN=$(npm run -s token -- --role admin)
  curl -s ${gatewayUrl} -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \\
    -d '{"query":"{ registrants(first: 5) { totalCount nodes { id kind } } }"}'

Ctrl-C stops every process.`);
  if (args.has("--smoke")) {
    const ok = await smoke(gatewayUrl).catch((err) => (console.error(err), false));
    console.log(ok ? "smoke: the graph answered across all five subgraphs" : "smoke: FAILED");
    await stopAll(ok ? 0 : 1);
  }
}

main().catch((err) => {
  console.error(err.message || err);
  stopAll(1);
});
