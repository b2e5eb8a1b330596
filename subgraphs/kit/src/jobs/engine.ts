/**
 * The part of the jobs port both adapters share: every state change of jobs and chunks, kept in the
 * subgraph's database. Adapters only decide *where and when* a step runs.
 */
import { LockMode, UniqueConstraintViolationException, type EntityManager, type MikroORM } from "@mikro-orm/core";
import type { Logger } from "pino";
import type { GraphClient } from "../graph-client";
import { userError } from "../errors";
import { JobChunk, JobRecord } from "./job.entities";
import type { EnqueueOptions, JobDefinition } from "./types";

export type ChunkOutcome =
  | { outcome: "done" | "skipped" | "failed" }
  /** Failed, attempts remain: run again after `delayMs`. */
  | { outcome: "retry"; delayMs: number; attempts: number };

const TERMINAL = new Set(["COMPLETED", "FAILED"]);

export class JobEngine {
  private readonly definitions = new Map<string, JobDefinition<any, any, any>>();
  private readonly pessimisticLocks: boolean;

  constructor(
    private readonly orm: MikroORM,
    private readonly log: Logger,
    private readonly graph?: GraphClient,
  ) {
    this.pessimisticLocks = orm.config.get("driver")?.name !== "LibSqlDriver";
  }

  register(def: JobDefinition<any, any, any>): void {
    if (this.definitions.has(def.name)) throw new Error(`job "${def.name}" registered twice`);
    this.definitions.set(def.name, def);
  }

  definition(name: string): JobDefinition<any, any, any> {
    const def = this.definitions.get(name);
    if (!def) throw new Error(`no job definition named "${name}"`);
    return def;
  }

  maxAttempts(name: string): number {
    return this.definition(name).maxAttempts ?? 3;
  }

  /** Delay before attempt n+1 after n failed attempts: base × 2^(n-1), at most maxBackoffMs. */
  backoff(name: string, failedAttempts: number): number {
    const def = this.definition(name);
    return Math.min(def.maxBackoffMs ?? Number.POSITIVE_INFINITY, (def.backoffMs ?? 500) * 2 ** Math.max(0, failedAttempts - 1));
  }

  private em(): EntityManager {
    return this.orm.em.fork();
  }

  async create(name: string, payload: unknown, opts: EnqueueOptions = {}): Promise<{ job: JobRecord; created: boolean }> {
    this.definition(name);
    const existing = opts.idempotencyKey ? await this.sameKey(name, payload, opts.idempotencyKey) : null;
    if (existing) return { job: existing, created: false };
    const em = this.em();
    const job = em.create(JobRecord, { name, payload: payload as object, idempotencyKey: opts.idempotencyKey ?? null });
    try {
      await em.persistAndFlush(job);
    } catch (err) {
      // Two callers raced with one key: the other insert won; answer as if we had come second.
      if (!(err instanceof UniqueConstraintViolationException) || !opts.idempotencyKey) throw err;
      const winner = await this.sameKey(name, payload, opts.idempotencyKey);
      if (!winner) throw err;
      return { job: winner, created: false };
    }
    return { job, created: true };
  }

  /** The job already created with this key, or null; refuses a different job under the same key. */
  private async sameKey(name: string, payload: unknown, key: string): Promise<JobRecord | null> {
    const existing = await this.em().findOne(JobRecord, { idempotencyKey: key });
    if (!existing) return null;
    // Compared with sorted keys: PostgreSQL's jsonb does not keep the order they were written in.
    if (existing.name !== name || stableJson(existing.payload) !== stableJson(payload)) {
      throw userError("IDEMPOTENCY_MISMATCH", `idempotency key ${key} was used for another job`);
    }
    return existing;
  }

  get(jobId: string): Promise<JobRecord | null> {
    return this.em().findOne(JobRecord, jobId);
  }

  /** Jobs the database says are unfinished: a restart re-dispatches them. */
  async unfinished(): Promise<JobRecord[]> {
    return this.em().find(JobRecord, { status: { $in: ["PENDING", "RUNNING"] } }, { orderBy: { createdAt: "asc" } });
  }

  /**
   * Splits the job into chunks once (stored in the same transaction as the RUNNING state) and returns
   * the ids of chunks still to do; planning again returns the unfinished ones without re-planning.
   */
  async plan(jobId: string): Promise<string[]> {
    const em = this.em();
    const job = await em.findOneOrFail(JobRecord, jobId);
    if (TERMINAL.has(job.status)) return [];
    if (job.status === "PENDING") {
      const def = this.definition(job.name);
      let specs: unknown[];
      try {
        specs = await def.plan(job.payload, { em: em.fork(), jobId, log: this.log, graph: this.graph });
      } catch (err) {
        job.status = "FAILED";
        job.error = `planning failed: ${errorText(err)}`;
        job.finishedAt = new Date();
        await em.flush();
        return [];
      }
      await em.transactional(async (tx) => {
        const fresh = await tx.findOneOrFail(JobRecord, jobId, this.lock());
        if (fresh.status !== "PENDING") return; // planned concurrently by another worker
        specs.forEach((spec, seq) => tx.persist(tx.create(JobChunk, { jobId, seq, spec: spec as object })));
        fresh.totalChunks = specs.length;
        fresh.status = specs.length === 0 ? "COMPLETED" : "RUNNING";
        if (specs.length === 0) fresh.finishedAt = new Date();
      });
    }
    const pending = await this.em().find(
      JobChunk,
      { jobId, status: { $in: ["PENDING", "RUNNING"] } },
      { fields: ["id"], orderBy: { seq: "asc" } },
    );
    return pending.map((c) => c.id);
  }

  /**
   * Runs one chunk: its work and its DONE mark commit together, or neither does. The definition's
   * `prepare` step runs first, outside the transaction (and counts as part of the attempt).
   */
  async runChunk(chunkId: string): Promise<ChunkOutcome> {
    const em = this.em();
    const chunk = await em.findOne(JobChunk, chunkId);
    if (!chunk || chunk.status === "DONE" || chunk.status === "FAILED") return { outcome: "skipped" };
    const job = await em.findOneOrFail(JobRecord, chunk.jobId);
    const def = this.definition(job.name);
    const attempt = chunk.attempts + 1;
    const base = { jobId: job.id, log: this.log, graph: this.graph, seq: chunk.seq, attempt };
    try {
      // Before the transaction: on SQLite the one connection stays free for other chunks' commits.
      // If another worker finishes this chunk meanwhile, the locked re-check below discards the result.
      const prepared: unknown = def.prepare ? await def.prepare(chunk.spec, job.payload, { ...base, em: this.em() }) : undefined;
      const ran = await em.fork().transactional(async (tx) => {
        const locked = await tx.findOneOrFail(JobChunk, chunkId, this.lock());
        if (locked.status === "DONE" || locked.status === "FAILED") return false;
        await def.processChunk(locked.spec, job.payload, { ...base, em: tx, prepared });
        locked.status = "DONE";
        locked.attempts = attempt;
        locked.lastError = null;
        locked.finishedAt = new Date();
        return true;
      });
      await this.refresh(job.id);
      return { outcome: ran ? "done" : "skipped" };
    } catch (err) {
      const exhausted = attempt >= (def.maxAttempts ?? 3);
      const failEm = this.em();
      const row = await failEm.findOneOrFail(JobChunk, chunkId);
      row.attempts = attempt;
      row.lastError = errorText(err);
      row.status = exhausted ? "FAILED" : "PENDING";
      if (exhausted) row.finishedAt = new Date();
      await failEm.flush();
      this.log.warn({ jobId: job.id, chunk: chunk.seq, attempt, exhausted, err: errorText(err) }, "job chunk failed");
      await this.refresh(job.id);
      return exhausted ? { outcome: "failed" } : { outcome: "retry", delayMs: this.backoff(job.name, attempt), attempts: attempt };
    }
  }

  /**
   * Recounts chunks and closes the job when every chunk is DONE or FAILED. Written with conditional
   * updates, not read-modify-write: two chunks finishing at once must not overwrite each other's
   * counts (counts only grow, so the larger wins), and only one of them closes the job.
   */
  async refresh(jobId: string): Promise<JobRecord> {
    const em = this.em();
    const [done, failed] = await Promise.all([
      em.count(JobChunk, { jobId, status: "DONE" }),
      em.count(JobChunk, { jobId, status: "FAILED" }),
    ]);
    await em.nativeUpdate(JobRecord, { id: jobId, doneChunks: { $lt: done } }, { doneChunks: done });
    await em.nativeUpdate(JobRecord, { id: jobId, failedChunks: { $lt: failed } }, { failedChunks: failed });
    const job = await em.findOneOrFail(JobRecord, jobId, { refresh: true });
    if (job.status === "RUNNING" && done + failed >= job.totalChunks) {
      let error: string | null = null;
      if (failed > 0) {
        const first = await em.findOne(JobChunk, { jobId, status: "FAILED" }, { orderBy: { seq: "asc" } });
        error = `${failed} of ${job.totalChunks} chunks failed; first (chunk ${first?.seq}): ${first?.lastError ?? "unknown"}`;
      }
      await em.nativeUpdate(
        JobRecord,
        { id: jobId, status: "RUNNING" },
        { status: failed > 0 ? "FAILED" : "COMPLETED", finishedAt: new Date(), error },
      );
    }
    return em.findOneOrFail(JobRecord, jobId, { refresh: true });
  }

  async waitFor(jobId: string, timeoutMs = 60_000): Promise<JobRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.get(jobId);
      if (!job) throw new Error(`job ${jobId} not found`);
      if (TERMINAL.has(job.status)) return job;
      if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private lock() {
    return this.pessimisticLocks ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {};
  }
}

/** JSON with object keys sorted at every level, for comparing payloads. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
