import type { MikroORM } from "@mikro-orm/core";
import { Queue, Worker, type ConnectionOptions, type Job } from "bullmq";
import type { Logger } from "pino";
import type { GraphClient } from "../graph-client";
import { JobEngine } from "./engine";
import type { EnqueueOptions, JobDefinition, JobQueue } from "./types";

type Step = { type: "plan"; jobId: string } | { type: "chunk"; jobId: string; chunkId: string };

/**
 * Jobs on BullMQ (REDIS_URL set): workers on any number of machines share the queue. Redis carries
 * only "run this step"; the database stays the truth, so losing Redis loses nothing — `start()`
 * re-dispatches unfinished work, and BullMQ job ids (= our step ids) keep duplicates out.
 *
 * A Redis that restarts empty (no persistence) while the processes keep running would strand the
 * queued steps: a marker key written at start is checked every few seconds, and when it is gone the
 * unfinished jobs are dispatched again (found by the fault suite, test/faults/redis-restart.test.ts).
 */
export class BullMqJobQueue implements JobQueue {
  readonly kind = "bullmq" as const;
  readonly engine: JobEngine;
  private queue?: Queue<Step>;
  private worker?: Worker<Step>;
  private readonly connection: ConnectionOptions;
  readonly queueName: string;

  constructor(
    orm: MikroORM,
    private readonly log: Logger,
    opts: { redisUrl: string; queueName: string; concurrency?: number; graph?: GraphClient },
  ) {
    this.engine = new JobEngine(orm, log, opts.graph);
    const url = new URL(opts.redisUrl);
    this.connection = {
      host: url.hostname,
      port: Number(url.port || 6379),
      username: url.username || undefined,
      password: url.password || undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
      maxRetriesPerRequest: null,
    };
    this.queueName = opts.queueName;
    this.concurrency = opts.concurrency ?? 1;
  }

  private readonly concurrency: number;
  private lossTimer?: NodeJS.Timeout;
  /** How often the Redis-loss marker is checked (ms). */
  lossCheckMs = 5_000;

  register<P, C, D>(definition: JobDefinition<P, C, D>): void {
    this.engine.register(definition);
  }

  async start(): Promise<void> {
    this.queue = new Queue<Step>(this.queueName, { connection: this.connection });
    this.worker = new Worker<Step>(this.queueName, (job) => this.process(job), {
      connection: this.connection,
      concurrency: this.concurrency,
    });
    this.worker.on("error", (err) => this.log.warn({ err: err.message }, "bullmq worker error"));
    await this.worker.waitUntilReady();
    await this.markRedis();
    await this.redispatchUnfinished();
    this.lossTimer = setInterval(() => void this.checkRedisLoss(), this.lossCheckMs);
    this.lossTimer.unref();
  }

  private get markerKey(): string {
    return `g2p-jobs:${this.queueName}:marker`;
  }

  private async markRedis(): Promise<void> {
    await (await this.queue!.getBackend().client).set(this.markerKey, String(Date.now()));
  }

  private async redispatchUnfinished(): Promise<number> {
    const unfinished = await this.engine.unfinished();
    for (const job of unfinished) await this.add({ type: "plan", jobId: job.id });
    return unfinished.length;
  }

  /** Redis came back without our marker: its queued steps are gone, so send the unfinished work again. */
  private async checkRedisLoss(): Promise<void> {
    try {
      const client = await this.queue!.getBackend().client;
      if ((await client.get(this.markerKey)) !== null) return;
      await this.markRedis();
      const n = await this.redispatchUnfinished();
      this.log.warn({ jobs: n, queue: this.queueName }, "redis lost its queue; unfinished jobs dispatched again from the database");
    } catch (err) {
      // Redis unreachable: try again at the next tick.
      this.log.debug({ err: (err as Error).message }, "redis marker check failed");
    }
  }

  async enqueue(name: string, payload: unknown, options?: EnqueueOptions) {
    const { job, created } = await this.engine.create(name, payload, options);
    if (created) await this.add({ type: "plan", jobId: job.id });
    return job;
  }

  get(jobId: string) {
    return this.engine.get(jobId);
  }

  waitFor(jobId: string, timeoutMs?: number) {
    return this.engine.waitFor(jobId, timeoutMs);
  }

  async stop(): Promise<void> {
    if (this.lossTimer) clearInterval(this.lossTimer);
    await this.worker?.close();
    await this.queue?.close();
  }

  private async process(job: Job<Step>): Promise<void> {
    const step = job.data;
    if (step.type === "plan") {
      const chunkIds = await this.engine.plan(step.jobId);
      await this.queue!.addBulk(chunkIds.map((chunkId) => this.bulkEntry({ type: "chunk", jobId: step.jobId, chunkId })));
      return;
    }
    const result = await this.engine.runChunk(step.chunkId);
    if (result.outcome === "retry") {
      // The database counted the attempt; schedule the next one as a new delayed step.
      await this.add({ type: "chunk", jobId: step.jobId, chunkId: step.chunkId }, result.delayMs, result.attempts);
    }
  }

  /** BullMQ job id = our step id (+ attempt), so re-dispatching the same step is a no-op. */
  private bulkEntry(step: Step, delay = 0, attempt = 0) {
    const id = step.type === "plan" ? `plan-${step.jobId}` : `chunk-${step.chunkId}-${attempt}`;
    return {
      name: step.type,
      data: step,
      // Retries inside BullMQ cover a crash of the step itself (e.g. the database was unreachable).
      opts: { jobId: id, delay, attempts: 5, backoff: { type: "exponential", delay: 500 }, removeOnComplete: true, removeOnFail: 1000 },
    };
  }

  private async add(step: Step, delay = 0, attempt = 0): Promise<void> {
    const entry = this.bulkEntry(step, delay, attempt);
    await this.queue!.add(entry.name, entry.data, entry.opts);
  }
}
