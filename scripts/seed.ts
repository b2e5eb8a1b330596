/**
 * `npm run seed [-- --households N] [-- --url http://localhost:4000/graphql]`: builds the demo
 * population through a running graph (`npm start`), with the SDK and development tokens.
 *
 *   --households N   households to create (env SEED_HOUSEHOLDS; default 200; the full demo uses 10000)
 *   --url URL        the gateway's /graphql (env SEED_GRAPH_URL; default http://localhost:$PORT/graphql)
 *
 * It runs the ODK Central and mobile-money simulators in this process while it works (`npm start --
 * --demo` runs them for as long as the graph runs instead). A second run adds nothing twice.
 * For eligibility's income rules, start the graph with ELIGIBILITY_EXTRA_ATTRIBUTES=income:double,assets:int
 * (`--demo` does); eligibility and payments need GRAPH_URL to reach the gateway.
 */
import { parseArgs } from "node:util";
import { startMobileMoneySimulator } from "../test/simulators/mobile-money";
import { startOdkCentralSimulator } from "../test/simulators/odk-central";
import { formatSummary, runSeed } from "./seed/run";

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { households: { type: "string" }, url: { type: "string" }, json: { type: "boolean" } } });
  const households = Number(values.households ?? process.env.SEED_HOUSEHOLDS ?? 200);
  if (!Number.isInteger(households) || households < 1 || households > 1_000_000) {
    console.error("--households must be a whole number from 1 to 1,000,000");
    return 2;
  }
  const graphUrl = values.url ?? process.env.SEED_GRAPH_URL ?? `http://localhost:${process.env.PORT || 4000}/graphql`;
  const [odk, mobileMoney] = await Promise.all([startOdkCentralSimulator(), startMobileMoneySimulator({ latencyMs: 5 })]);
  try {
    const started = Date.now();
    const summary = await runSeed({
      graphUrl,
      households,
      odk,
      mobileMoneyUrl: mobileMoney.url,
      refuseWallets: (msisdns) => mobileMoney.setFaults({ latencyMs: 5, rejectMsisdns: msisdns }),
      jwtSecret: process.env.JWT_SECRET || undefined,
    });
    console.log(formatSummary(summary));
    console.log(`\nseeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (values.json) console.log(JSON.stringify(summary));
    return 0;
  } finally {
    await Promise.all([odk.stop(), mobileMoney.stop()]);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`seed failed: ${err instanceof Error ? err.message : err}`);
    if (err && typeof err === "object" && "requestId" in err) console.error(`request id: ${(err as { requestId?: string }).requestId}`);
    process.exit(1);
  },
);
