/**
 * The evaluation job's shape: registry pages are fetched and decided in the kit's `prepare` step,
 * outside the chunk's transaction (so SQLite's one connection is free meanwhile), chunks are bounded in
 * size whatever `chunks` asked for, and a range does not fetch a full page of its neighbour's registrants.
 */
process.env.ELIGIBILITY_EXTRA_ATTRIBUTES = "income:double,assets:int,hasLand:bool";
process.env.REGISTRY_PAGE_SIZE = "1000";

import { dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import pino from "pino";
import { resetEligibilityConfig, setRegistrySource, subgraph, TargetKind } from "../src";
import { evaluationJob, MAX_CHUNK_REGISTRANTS, pageSizeFor, type EvaluationPayload } from "../src/jobs/evaluation.job";
import type { RegistrantPage, RegistrySource } from "../src/services/registry-source";
import { Population } from "../src/testing/population";

const PM = { role: "program_manager" as const, sub: "pm-1" };
const log = pino({ level: "silent" });

function payload(chunks: number, pageSize: number): EvaluationPayload {
  return { runId: "r", programId: "p", target: TargetKind.GROUP, criteria: [], scoring: null, asOf: "2026-01-01", chunks, pageSize };
}

/** A registry that serves `passes` pages, then holds every page until `release()`. */
class HeldRegistry implements RegistrySource {
  held = true;
  pending = 0;
  private waiters: Array<() => void> = [];
  constructor(
    private readonly inner: RegistrySource,
    private passes: number,
  ) {}
  async page(args: Parameters<RegistrySource["page"]>[0]): Promise<RegistrantPage> {
    if (this.held && this.passes-- <= 0) {
      this.pending++;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      this.pending--;
    }
    return this.inner.page(args);
  }
  release(): void {
    this.held = false;
    for (const w of this.waiters.splice(0)) w();
  }
}

afterEach(() => setRegistrySource(null));

describe("evaluation job: plan and page sizes", () => {
  it("plans more chunks than asked for a large registry, each expected to hold at most the bound", async () => {
    setRegistrySource(new Population(25_000, 3));
    const ranges = await evaluationJob.plan(payload(2, 1000), { log } as never);
    expect(ranges).toHaveLength(Math.ceil(25_000 / MAX_CHUNK_REGISTRANTS));
    const expected = ranges[0]!.expected!;
    expect(expected).toBeLessThanOrEqual(MAX_CHUNK_REGISTRANTS);
    expect(Math.abs(expected - 25_000 / ranges.length)).toBeLessThan(0.1 * expected); // estimated from one page
  });

  it("keeps the chunks asked for a small registry, with an exact size when it fits in one page", async () => {
    setRegistrySource(new Population(600, 3));
    const ranges = await evaluationJob.plan(payload(4, 1000), { log } as never);
    expect(ranges.map((r) => r.expected)).toEqual([150, 150, 150, 150]);
  });

  it("falls back to the chunks asked for, unsized, when the registry cannot be read while planning", async () => {
    setRegistrySource({ page: () => Promise.reject(new Error("gateway down")) });
    const warn = jest.fn();
    const ranges = await evaluationJob.plan(payload(3, 1000), { log: { warn } } as never);
    expect(ranges).toHaveLength(3);
    expect(ranges.every((r) => r.expected === undefined)).toBe(true);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("asks for what a range still holds plus a margin, then full pages past the estimate", () => {
    expect(pageSizeFor({ after: null, until: null }, 5000, 0)).toBe(5000);
    expect(pageSizeFor({ after: null, until: null, expected: 4000 }, 5000, 0)).toBe(4000 + 253 + 16);
    expect(pageSizeFor({ after: null, until: null, expected: 9000 }, 5000, 5000)).toBe(4000 + 380 + 16);
    expect(pageSizeFor({ after: null, until: null, expected: 9000 }, 5000, 0)).toBe(5000);
    expect(pageSizeFor({ after: null, until: null, expected: 4000 }, 5000, 4300)).toBe(5000);
  });
});

describe("evaluation job through the subgraph", () => {
  let sg: TestSubgraph;
  const gql = (q: string, v: Record<string, unknown>) => sg.request(q, v, PM);
  const RUN = `query ($id: ID!) { programRun(id: $id) { jobId status totalChunks doneChunks processed } }`;

  beforeAll(async () => {
    resetEligibilityConfig();
    sg = await startTestSubgraph(subgraph);
  });
  afterAll(async () => {
    await sg?.stop();
  });

  async function newProgram(): Promise<string> {
    const i = { name: "Bounded", target: "GROUP", currency: "KES", criteria: [{ name: "a household", expression: "household.size >= 1" }] };
    return dataOf(await gql(`mutation ($i: CreateProgramInput!) { createProgram(input: $i) { id } }`, { i })).createProgram.id;
  }

  it("splits a large registry into bounded chunks and fetches little beyond each range", async () => {
    const population = new Population(25_000, 5);
    setRegistrySource(population);
    const programId = await newProgram();
    const run = dataOf(await gql(`mutation ($p: ID!) { evaluateProgram(programId: $p, chunks: 1, asOf: "2026-01-01") { id } }`, { p: programId })).evaluateProgram;
    const { jobId } = dataOf(await gql(RUN, { id: run.id })).programRun;
    await sg.jobs.waitFor(jobId, 60_000);
    expect(dataOf(await gql(RUN, { id: run.id })).programRun).toMatchObject({ status: "COMPLETED", totalChunks: 3, doneChunks: 3, processed: 25_000 });
    // The plan's one page, then each range's pages sized to what it holds: under 5 % sent twice
    // (full 1,000-node pages at every range's end would send up to 3 × 1,000 more).
    expect(population.sent).toBeLessThan(25_000 + 1000 + 0.05 * 25_000);
  }, 60_000);

  it("answers a progress read while a chunk waits for the registry (the wait is outside its transaction)", async () => {
    // The plan's page passes; the chunks' pages are held.
    const registry = new HeldRegistry(new Population(3000, 9), 1);
    setRegistrySource(registry);
    const programId = await newProgram();
    const run = dataOf(await gql(`mutation ($p: ID!) { evaluateProgram(programId: $p, chunks: 2, asOf: "2026-01-01") { id } }`, { p: programId })).evaluateProgram;
    const { jobId } = dataOf(await gql(RUN, { id: run.id })).programRun;
    const held = Date.now() + 10_000;
    while (registry.pending === 0 && Date.now() < held) await new Promise((r) => setTimeout(r, 10));
    expect(registry.pending).toBeGreaterThan(0);
    // On SQLite a read waits for any open transaction: it answers only if no chunk holds one now.
    const answered = await Promise.race([
      gql(RUN, { id: run.id }).then((res) => dataOf(res).programRun.status),
      new Promise((r) => setTimeout(() => r("blocked"), 3000)),
    ]);
    registry.release();
    expect(answered).toBe("RUNNING");
    await sg.jobs.waitFor(jobId, 30_000);
    expect(dataOf(await gql(RUN, { id: run.id })).programRun).toMatchObject({ status: "COMPLETED", processed: 3000 });
  }, 60_000);
});
