/**
 * Smoke mode of `npm run bench -- load` (test/bench/load.bench.ts): the same mixed reads and
 * writes from 8 clients for a few seconds, over the in-process stack (the bench itself runs every
 * block as its own process). No errors, latencies and memory samples recorded, every acknowledged
 * write in the database.
 */
import { runLoadBench } from "../bench/load.bench";
import type { ProcessStack } from "../faults/infra";
import { startStack, type Stack } from "../src";

describe("load smoke (npm run bench -- load, a few seconds)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it("mixed reads and writes through the gateway: no errors, p50/p99 and RSS recorded", async () => {
    const asProcessStack = {
      gatewayUrl: stack.gatewayUrl,
      request: stack.request,
      pids: () => ({ "jest (gateway + 5 subgraphs)": process.pid }),
      // No GC trace in-process: the live-heap series stays empty.
      heapAfterFullGc: () => ({}),
      startedAt: Date.now(),
    } as unknown as ProcessStack;
    const r = await runLoadBench({ durationS: Number(process.env.LOAD_SMOKE_S ?? 5), clients: 8, sampleS: 1 }, asProcessStack);
    console.log(
      [
        `load smoke: ${r.run.attempts.length} requests, ${Math.round(r.rps)} req/s`,
        ...r.perKind.map((k) => `  ${k.kind}: ${k.requests} req, ${k.errors} errors, p50 ${k.p50} ms, p99 ${k.p99} ms`),
        ...r.memory.map((m) => `  RSS ${m.process}: start ${m.startMiB} MiB, end ${m.endMiB}, peak ${m.peakMiB}, ${m.samples} samples`),
      ].join("\n"),
    );
    const failed = r.run.attempts.filter((a) => !a.ok);
    expect(failed.slice(0, 3)).toEqual([]);
    expect(r.perKind.map((k) => k.kind)).toHaveLength(5); // every operation kind ran
    for (const k of r.perKind) expect(k.p99).toBeGreaterThanOrEqual(k.p50);
    expect(r.memory[0]!.samples).toBeGreaterThanOrEqual(3);
    expect(r.writes.registrantsInDb).toBe(r.writes.seeded + r.writes.registrantsCreated);
  }, 120_000);
});
