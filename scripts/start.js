#!/usr/bin/env node
/**
 * `npm start`: every subgraph in its own process, then the gateway, on the embedded defaults
 * (SQLite files under ./data, in-process jobs). Ctrl-C stops them all.
 *
 *   --ephemeral   every process on a free port (the gateway gets a generated supergraph.yaml)
 *   --smoke       start, run one query spanning all five subgraphs, stop; exit 0 if it answered
 *   --demo        also runs the ODK Central, mobile-money and SMS simulators (in this process) and
 *                 seeds the demo population through the graph (scripts/seed): SEED_HOUSEHOLDS
 *                 households (default 1000; 10000 for the full demo); a second start adds nothing
 *
 * Each process's JSON log goes to data/logs/NAME.log; this window shows one line per process.
 */
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const path = require("node:path");
const YAML = require("yaml");

const ROOT = path.resolve(__dirname, "..");
const args = new Set(process.argv.slice(2));
const ephemeral = args.has("--ephemeral") || args.has("--smoke");
const DATA_DIR = path.resolve(process.env.DATA_DIR || path.join(ROOT, "data"));
const LOG_DIR = path.join(DATA_DIR, "logs");
const SUBGRAPHS = { registry: 4001, identity: 4002, eligibility: 4003, payments: 4004, vouchers: 4005 };
const FIXED_GATEWAY_PORT = Number(process.env.PORT || 4000);
const demo = args.has("--demo");
// A larger young generation: the gateway allocates many short-lived objects per request (docs/decisions/gateway-performance.md).
const GATEWAY_NODE_ARGS = ["--max-semi-space-size=64"];

fs.mkdirSync(LOG_DIR, { recursive: true });
const children = [];
let stopping = false;

function start(name, script, scriptArgs, env, nodeArgs = []) {
  const log = fs.createWriteStream(path.join(LOG_DIR, `${name}.log`), { flags: "a" });
  const child = spawn(process.execPath, [...nodeArgs, script, ...scriptArgs], {
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

/** A port free right now, for --ephemeral: the subgraphs must know the gateway's address before it starts. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function main() {
  process.on("SIGINT", () => stopAll(0));
  process.on("SIGTERM", () => stopAll(0));
  const gatewayPort = ephemeral ? await freePort() : FIXED_GATEWAY_PORT;
  // Blocks call each other through the gateway (eligibility reads the registry, payments reads cycles, ...).
  const graphEnv = { GRAPH_URL: process.env.GRAPH_URL || `http://127.0.0.1:${gatewayPort}/graphql` };
  const demoEnv = demo ? { ...graphEnv, ...(await startDemoSimulators()) } : graphEnv;
  const urls = {};
  await Promise.all(
    Object.entries(SUBGRAPHS).map(async ([name, port]) => {
      const envPort = process.env[`${name.toUpperCase()}_PORT`];
      urls[name] = await start(name, path.join("subgraphs", name, "dist", "main.js"), [], { PORT: String(ephemeral ? 0 : envPort || port), ...demoEnv });
      console.log(`  ${name.padEnd(12)} ${urls[name]}`);
    }),
  );
  const supergraph = ephemeral ? runtimeYaml(urls) : path.join(ROOT, "schema", "supergraph.yaml");
  const gatewayUrl = await start("gateway", path.join("gateway", "dist", "main.js"), ["--supergraph", supergraph, "--port", String(gatewayPort)], {}, GATEWAY_NODE_ARGS);
  const base = gatewayUrl.replace(/\/graphql$/, "");
  console.log(`
G2P Graph is up: ${gatewayUrl}
  dashboard ${base}/dashboard/
  health ${base}/health   ready ${base}/ready   metrics ${base}/metrics
  logs   ${LOG_DIR}

Get a development token and ask the graph something:
  TOKEN=$(npm run -s token -- --role admin)
  curl -s ${gatewayUrl} -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \\
    -d '{"query":"{ registrants(first: 5) { totalCount nodes { id kind } } }"}'

Ctrl-C stops every process.`);
  if (demo) await seedDemo(gatewayUrl);
  if (args.has("--smoke")) {
    const ok = await smoke(gatewayUrl).catch((err) => (console.error(err), false));
    console.log(ok ? "smoke: the graph answered across all five subgraphs" : "smoke: FAILED");
    await stopAll(ok ? 0 : 1);
  }
}

/** --demo: the outside systems the demo talks to, on loopback, for as long as the graph runs. */
const simulators = {};
async function startDemoSimulators() {
  require("./ts-register.js");
  const { startOdkCentralSimulator } = require(path.join(ROOT, "test/simulators/odk-central"));
  const { startMobileMoneySimulator } = require(path.join(ROOT, "test/simulators/mobile-money"));
  const { startSmsGateway } = require(path.join(ROOT, "test/simulators/sms-gateway"));
  [simulators.odk, simulators.mobileMoney, simulators.sms] = await Promise.all([startOdkCentralSimulator(), startMobileMoneySimulator({ latencyMs: 5 }), startSmsGateway()]);
  console.log(`  simulators   ODK Central ${simulators.odk.url}  mobile money ${simulators.mobileMoney.url}  SMS ${simulators.sms.url}`);
  return {
    ELIGIBILITY_EXTRA_ATTRIBUTES: process.env.ELIGIBILITY_EXTRA_ATTRIBUTES || "income:double,assets:int",
    IDENTITY_SMS_GATEWAY_URL: simulators.sms.url,
  };
}

async function seedDemo(gatewayUrl) {
  const households = Number(process.env.SEED_HOUSEHOLDS || 1000);
  console.log(`\nSeeding the demo population (${households} households; SEED_HOUSEHOLDS changes it) through ${gatewayUrl} ...`);
  const { runSeed, formatSummary } = require(path.join(ROOT, "scripts/seed/run.ts"));
  const started = Date.now();
  const summary = await runSeed({
    graphUrl: gatewayUrl,
    households,
    odk: simulators.odk,
    mobileMoneyUrl: simulators.mobileMoney.url,
    refuseWallets: (msisdns) => simulators.mobileMoney.setFaults({ latencyMs: 5, rejectMsisdns: msisdns }),
    jwtSecret: process.env.JWT_SECRET || undefined,
    log: (line) => console.log(`  ${line}`),
  });
  console.log(formatSummary(summary));
  console.log(`\nDemo data ready in ${((Date.now() - started) / 1000).toFixed(0)} s. Try the SDK examples:
  G2P_URL=${gatewayUrl} node -r ./scripts/ts-register.js clients/sdk/examples/ministry-statistics.ts
  G2P_URL=${gatewayUrl} node -r ./scripts/ts-register.js clients/sdk/examples/bank-payments-due.ts`);
}

main().catch((err) => {
  console.error(err.message || err);
  stopAll(1);
});
