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

/**
 * The same sums, computed in `prepare` (outside the chunk's transaction) and written by processChunk.
 * `overlap` makes each prepare wait until `overlap` prepares are running at once (or give up).
 */
const prepared = {
  failOnce: new Set<number>(),
  failAlways: new Set<number>(),
  calls: new Map<number, number>(),
  inTransaction: [] as boolean[],
  overlap: 0,
  running: 0,
  peak: 0,
  arrivals: 0,
};

const preparedSumJob: JobDefinition<Payload, Chunk, { sum: number }> = {
  name: "prepared-sum",
  maxAttempts: 3,
  backoffMs: 10,
  plan: sumJob.plan,
  async prepare({ from, to }, _payload, { em, seq }) {
    prepared.calls.set(seq, (prepared.calls.get(seq) ?? 0) + 1);
    prepared.inTransaction.push(em.isInTransaction());
    prepared.running++;
    prepared.peak = Math.max(prepared.peak, prepared.running);
    try {
      if (prepared.overlap > 0) {
        // Each waits for the others; on SQLite that only completes if no chunk holds the connection.
        prepared.arrivals++;
        const deadline = Date.now() + 3000;
        while (prepared.arrivals < prepared.overlap && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        if (prepared.arrivals < prepared.overlap) throw new Error(`chunk ${seq}: prepare steps did not overlap`);
      }
      if (prepared.failAlways.has(seq)) throw new Error(`chunk ${seq} cannot be prepared`);
      if (prepared.failOnce.delete(seq)) throw new Error(`chunk ${seq} source hiccup`);
      let sum = 0;
      for (let i = from; i <= to; i++) sum += i;
      return { sum };
    } finally {
      prepared.running--;
    }
  },
  async processChunk(_chunk, _payload, { em, seq, prepared: data }) {
    expect(em.isInTransaction()).toBe(true);
    em.create(Tally, { seq, sum: data.sum });
    await em.flush();
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
    prepared.failOnce.clear();
    prepared.failAlways.clear();
    prepared.calls.clear();
    prepared.inTransaction = [];
    prepared.overlap = 0;
    prepared.running = 0;
    prepared.peak = 0;
    prepared.arrivals = 0;
    queue = makeQueue(orm);
    queue.register(sumJob);
    queue.register(preparedSumJob);
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

  describe("prepare step", () => {
    it("runs outside the chunk's transaction and hands its result to processChunk", async () => {
      await queue.start();
      const job = await queue.enqueue("prepared-sum", { n: 1000, chunkSize: 100 });
      expect(await queue.waitFor(job.id)).toMatchObject({ status: "COMPLETED", doneChunks: 10 });
      expect(prepared.inTransaction).toEqual(new Array(10).fill(false));
      const rows = await tallies();
      expect(rows.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(rows.reduce((a, r) => a + r.sum, 0)).toBe(500500);
    });

    it("counts a failed prepare as an attempt and retries it", async () => {
      prepared.failOnce.add(2);
      await queue.start();
      const job = await queue.enqueue("prepared-sum", { n: 500, chunkSize: 100 });
      expect(await queue.waitFor(job.id)).toMatchObject({ status: "COMPLETED", doneChunks: 5 });
      expect(prepared.calls.get(2)).toBe(2);
      const chunk = await orm.em.fork().findOneOrFail(JobChunk, { jobId: job.id, seq: 2 });
      expect(chunk).toMatchObject({ status: "DONE", attempts: 2, lastError: null });
      expect((await tallies()).map((t) => t.seq)).toEqual([0, 1, 2, 3, 4]);
    });

    it("fails the chunk after the last attempt when prepare keeps failing, writing nothing for it", async () => {
      prepared.failAlways.add(1);
      await queue.start();
      const job = await queue.enqueue("prepared-sum", { n: 300, chunkSize: 100 });
      const done = await queue.waitFor(job.id);
      expect(done).toMatchObject({ status: "FAILED", doneChunks: 2, failedChunks: 1 });
      expect(done.error).toContain("chunk 1 cannot be prepared");
      expect(prepared.calls.get(1)).toBe(3);
      expect((await tallies()).map((t) => t.seq)).toEqual([0, 2]);
    });

    it("does not prepare a chunk that is already done", async () => {
      const engine = new JobEngine(orm, log);
      engine.register(preparedSumJob);
      const { job } = await engine.create("prepared-sum", { n: 200, chunkSize: 100 });
      const [first] = await engine.plan(job.id);
      expect(await engine.runChunk(first!)).toEqual({ outcome: "done" });
      expect(await engine.runChunk(first!)).toEqual({ outcome: "skipped" });
      expect(prepared.calls.get(0)).toBe(1);
    });

    it("lets two chunks prepare at the same time (also on SQLite's single connection)", async () => {
      prepared.overlap = 2;
      await queue.start();
      const job = await queue.enqueue("prepared-sum", { n: 200, chunkSize: 100 });
      const done = await queue.waitFor(job.id);
      expect(done.error).toBeNull();
      expect(done).toMatchObject({ status: "COMPLETED", doneChunks: 2 });
      expect(prepared.peak).toBe(2);
      expect([...prepared.calls.values()]).toEqual([1, 1]);
    });
  });

  it("completes a job with nothing to do at once", async () => {
    await queue.start();
    const job = await queue.enqueue("sum", { n: 0, chunkSize: 5 });
    expect(await queue.waitFor(job.id)).toMatchObject({ status: "COMPLETED", totalChunks: 0 });
  });
});
