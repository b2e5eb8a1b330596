/**
 * One contract, two adapters: the in-process queue always, BullMQ when REDIS_URL is set.
 */
import { randomUUID } from "node:crypto";
import { Entity, PrimaryKey, Property, type MikroORM } from "@mikro-orm/core";
import pino from "pino";
import { BullMqJobQueue, InProcessJobQueue, JobChunk, JobEngine, type JobDefinition, type JobQueue } from "../src/jobs";
import { kitTestOrm } from "./helpers";

@Entity({ tableName: "tally" })
class Tally {
  @PrimaryKey({ type: "integer" }) seq!: number; // a chunk committed twice would violate this key
  @Property({ type: "integer" }) sum!: number;
}

type Payload = { n: number; chunkSize: number };
type Chunk = { from: number; to: number };

/** Behaviour knobs the tests turn per run. */
const faults = { transientOnce: new Set<number>(), always: new Set<number>(), calls: new Map<number, number>() };

const sumJob: JobDefinition<Payload, Chunk> = {
  name: "sum",
  maxAttempts: 3,
  backoffMs: 10,
  async plan({ n, chunkSize }) {
    const chunks: Chunk[] = [];
    for (let from = 1; from <= n; from += chunkSize) chunks.push({ from, to: Math.min(n, from + chunkSize - 1) });
    return chunks;
  },
  async processChunk({ from, to }, _payload, { em, seq }) {
    faults.calls.set(seq, (faults.calls.get(seq) ?? 0) + 1);
    let sum = 0;
    for (let i = from; i <= to; i++) sum += i;
    em.create(Tally, { seq, sum });
    await em.flush(); // written, then the fault: the transaction must roll it back
    if (faults.always.has(seq)) throw new Error(`chunk ${seq} is broken`);
    if (faults.transientOnce.delete(seq)) throw new Error(`chunk ${seq} hiccup`);
  },
};

const log = pino({ level: "silent" });
const adapters: [string, (orm: MikroORM) => JobQueue][] = [["in-process", (orm) => new InProcessJobQueue(orm, log, 2)]];
if (process.env.REDIS_URL) {
  adapters.push([
    "bullmq",
    (orm) => new BullMqJobQueue(orm, log, { redisUrl: process.env.REDIS_URL!, queueName: `g2p-test-${randomUUID()}`, concurrency: 2 }),
  ]);
}

describe.each(adapters)("jobs contract: %s adapter", (_name, makeQueue) => {
  let orm: MikroORM;
  let close: () => Promise<void>;
  let queue: JobQueue;

  beforeEach(async () => {
    ({ orm, close } = await kitTestOrm([Tally]));
    faults.transientOnce.clear();
    faults.always.clear();
    faults.calls.clear();
    queue = makeQueue(orm);
    queue.register(sumJob);
  });
  afterEach(async () => {
    await queue.stop();
    await close();
  });

  const tallies = () => orm.em.fork().find(Tally, {}, { orderBy: { seq: "asc" } });

  it("runs every chunk once and reports progress in the database", async () => {
    await queue.start();
    const job = await queue.enqueue("sum", { n: 1000, chunkSize: 100 });
    const done = await queue.waitFor(job.id);
    expect(done).toMatchObject({ status: "COMPLETED", totalChunks: 10, doneChunks: 10, failedChunks: 0 });
    const rows = await tallies();
    expect(rows).toHaveLength(10);
    expect(rows.reduce((a, r) => a + r.sum, 0)).toBe(500500);
  });

  it("retries a failed chunk with backoff, and the failed attempt leaves nothing behind", async () => {
    faults.transientOnce.add(3);
    await queue.start();
    const job = await queue.enqueue("sum", { n: 500, chunkSize: 100 });
    expect(await queue.waitFor(job.id)).toMatchObject({ status: "COMPLETED", doneChunks: 5 });
    expect(faults.calls.get(3)).toBe(2);
    const chunk = await orm.em.fork().findOneOrFail(JobChunk, { jobId: job.id, seq: 3 });
    expect(chunk.attempts).toBe(2);
    expect((await tallies()).map((t) => t.seq)).toEqual([0, 1, 2, 3, 4]);
  });

  it("marks the job FAILED after the last attempt, keeping the other chunks' work", async () => {
    faults.always.add(1);
    await queue.start();
    const job = await queue.enqueue("sum", { n: 300, chunkSize: 100 });
    const done = await queue.waitFor(job.id);
    expect(done).toMatchObject({ status: "FAILED", doneChunks: 2, failedChunks: 1 });
    expect(done.error).toContain("chunk 1 is broken");
    expect(faults.calls.get(1)).toBe(3);
    expect((await tallies()).map((t) => t.seq)).toEqual([0, 2]);
  });

  it("resumes after a crash from the database without repeating finished chunks", async () => {
    // A first process planned the job and finished two chunks, then died.
    const engine = new JobEngine(orm, log);
    engine.register(sumJob);
    const { job } = await engine.create("sum", { n: 600, chunkSize: 100 });
    const chunkIds = await engine.plan(job.id);
    expect(chunkIds).toHaveLength(6);
    await engine.runChunk(chunkIds[0]!);
    await engine.runChunk(chunkIds[1]!);

    await queue.start(); // the restarted process
    const done = await queue.waitFor(job.id);
    expect(done).toMatchObject({ status: "COMPLETED", doneChunks: 6 });
    expect([...faults.calls.values()].every((n) => n === 1)).toBe(true);
    expect((await tallies()).reduce((a, r) => a + r.sum, 0)).toBe((600 * 601) / 2);
  });

  it("returns the same job for the same idempotency key and refuses a different payload", async () => {
    await queue.start();
    const a = await queue.enqueue("sum", { n: 10, chunkSize: 5 }, { idempotencyKey: "import-42" });
    const b = await queue.enqueue("sum", { n: 10, chunkSize: 5 }, { idempotencyKey: "import-42" });
    expect(b.id).toBe(a.id);
    await expect(queue.enqueue("sum", { n: 11, chunkSize: 5 }, { idempotencyKey: "import-42" })).rejects.toMatchObject({
      extensions: { code: "IDEMPOTENCY_MISMATCH" },
    });
    await queue.waitFor(a.id);
    expect(await tallies()).toHaveLength(2);
  });

  it("treats payloads with keys in another order as the same, and concurrent enqueues with one key as one job", async () => {
    await queue.start();
    const jobs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => queue.enqueue("sum", i % 2 ? { n: 20, chunkSize: 10 } : { chunkSize: 10, n: 20 }, { idempotencyKey: "import-7" })),
    );
    expect(new Set(jobs.map((j) => j.id)).size).toBe(1);
    await queue.waitFor(jobs[0]!.id);
    expect(await tallies()).toHaveLength(2);
  });

  it("completes a job with nothing to do at once", async () => {
    await queue.start();
    const job = await queue.enqueue("sum", { n: 0, chunkSize: 5 });
    expect(await queue.waitFor(job.id)).toMatchObject({ status: "COMPLETED", totalChunks: 0 });
  });
});
