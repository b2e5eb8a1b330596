import type { MikroORM } from "@mikro-orm/core";
import type { Logger } from "pino";
import type { GraphClient } from "../graph-client";
import { JobEngine } from "./engine";
import type { EnqueueOptions, JobDefinition, JobQueue } from "./types";

/**
 * Runs jobs inside the subgraph's own process: the default, nothing to install. A restart loses
 * only timers; `start()` finds unfinished jobs in the database and carries on.
 */
export class InProcessJobQueue implements JobQueue {
  readonly kind = "in-process" as const;
  readonly engine: JobEngine;
  private readonly waiting: Array<() => Promise<void>> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private active = 0;
  private running = false;
  private idle: Array<() => void> = [];

  constructor(
    orm: MikroORM,
    private readonly log: Logger,
    private readonly concurrency = 1,
    graph?: GraphClient,
  ) {
    this.engine = new JobEngine(orm, log, graph);
  }

  register<P, C, D>(definition: JobDefinition<P, C, D>): void {
    this.engine.register(definition);
  }

  async start(): Promise<void> {
    this.running = true;
    for (const job of await this.engine.unfinished()) this.schedule(() => this.planAndDispatch(job.id));
  }

  async enqueue(name: string, payload: unknown, options?: EnqueueOptions) {
    const { job, created } = await this.engine.create(name, payload, options);
    if (created) this.schedule(() => this.planAndDispatch(job.id));
    return job;
  }

  get(jobId: string) {
    return this.engine.get(jobId);
  }

  waitFor(jobId: string, timeoutMs?: number) {
    return this.engine.waitFor(jobId, timeoutMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.waiting.length = 0;
    if (this.active > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private async planAndDispatch(jobId: string): Promise<void> {
    for (const chunkId of await this.engine.plan(jobId)) this.schedule(() => this.runChunk(jobId, chunkId));
  }

  private async runChunk(jobId: string, chunkId: string): Promise<void> {
    const result = await this.engine.runChunk(chunkId);
    if (result.outcome !== "retry") return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.schedule(() => this.runChunk(jobId, chunkId));
    }, result.delayMs);
    this.timers.add(timer);
  }

  private schedule(task: () => Promise<void>): void {
    if (!this.running) return;
    this.waiting.push(task);
    this.pump();
  }

  private pump(): void {
    while (this.running && this.active < this.concurrency && this.waiting.length > 0) {
      const task = this.waiting.shift()!;
      this.active++;
      task()
        .catch((err: unknown) => this.log.error({ err }, "job step crashed"))
        .finally(() => {
          this.active--;
          if (this.active === 0 && (!this.running || this.waiting.length === 0)) {
            for (const resolve of this.idle.splice(0)) resolve();
          }
          this.pump();
        });
    }
  }
}
