/**
 * The benchmarks work end to end (`npm run bench -- gateway|graph`), in their few-second smoke mode:
 * three gateways give the same answer to the heavy query and each serves it under load with every
 * request's own token forwarded; the graph benchmark's page is identical through the gateway and
 * straight from the subgraphs. The figures of a smoke run mean nothing; the checks do.
 */
import { run as runGateway } from "../bench/gateway.bench";
import { run as runGraph } from "../bench/graph.bench";

jest.setTimeout(240_000);

test("gateway bench: ours, stock @apollo/gateway and Hive Gateway answer the same, under load, with the caller's token", async () => {
  const result = await runGateway(["--smoke"]);
  expect(result.data.identical).toBe(true);
  expect(result.data.responseBytes).toBeGreaterThan(50_000);
  expect(result.rows.map((r) => r.gateway)).toEqual(["ours", "stock", "hive"]);
  for (const run of result.data.runs) {
    expect(run.load.requests).toBeGreaterThan(0);
    expect(run.load.errors).toBe(0);
    expect(run.unauthenticatedCalls).toBe(0);
  }
  const { perOp, peakRssMiB } = result.data;
  // Our gateway sends each distinct entity representation once per fetch; stock sends every repeat.
  expect(perOp.ours.representations).toBe(perOp.ours.distinct);
  expect(perOp.stock.representations).toBeGreaterThan(perOp.stock.distinct);
  expect(perOp.ours.calls).toBeLessThanOrEqual(perOp.stock.calls);
  for (const rss of Object.values(peakRssMiB)) expect(rss).toBeGreaterThan(20);
});

test("graph bench: a page across the five subgraphs, through the gateway and direct", async () => {
  const result = await runGraph(["--smoke"]);
  const byMeasure = Object.fromEntries(result.rows.map((r) => [r.measure, r]));
  expect(byMeasure["through the gateway, under load"]?.errors).toBe(0);
  expect(Number(byMeasure["through the gateway, under load"]?.requests)).toBeGreaterThan(0);
  expect(Number(byMeasure["through the gateway"]?.["p50 ms"])).toBeGreaterThan(0);
  expect(Number(byMeasure["subgraphs called directly"]?.["p50 ms"])).toBeGreaterThan(0);
  expect(result.data.gatewayMs.length).toBeGreaterThan(0);
  expect(result.data.directMs.length).toBe(result.data.gatewayMs.length);
});
