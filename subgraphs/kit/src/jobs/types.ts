import type { EntityManager } from "@mikro-orm/core";
import type { Logger } from "pino";
import type { GraphClient } from "../graph-client";
import type { JobRecord } from "./job.entities";

export interface JobContext {
  /** A fresh EntityManager; in processChunk it is inside the chunk's transaction. */
  em: EntityManager;
  jobId: string;
  log: Logger;
  /** Calls to other blocks through the gateway (set when the queue was created by startSubgraph). */
  graph?: GraphClient;
}

/** What a chunk step is told about the chunk it runs: its position and which attempt this is (1, 2, …). */
export interface ChunkContext extends JobContext {
  seq: number;
  attempt: number;
}

/**
 * A job is planned once into chunks (stored in the database), then each chunk is processed, retried
 * with backoff on failure. `processChunk` runs inside a transaction together with the chunk's DONE
 * mark, so a crash mid-chunk leaves nothing half-written and a re-run never repeats a finished chunk.
 *
 * `prepare` (optional) runs first, *outside* that transaction: slow reads that need no lock (another
 * block through the graph, a provider, computing rows) go there, so the transaction only writes and
 * chunks overlap even on SQLite, where the one connection is held by whichever transaction is open.
 * Its result reaches `processChunk` as `ctx.prepared`. A failure in `prepare` counts as an attempt and
 * is retried like a failure in `processChunk`; a crash between the two runs the whole chunk again, so
 * `prepare` must have no effects of its own that a re-run would repeat. The prepared data lives in
 * memory until the commit: size the chunks (in `plan`) so that it stays small.
 */
export interface JobDefinition<P = unknown, C = unknown, D = unknown> {
  name: string;
  plan(payload: P, ctx: JobContext): Promise<C[]>;
  /** Runs before the chunk's transaction; `ctx.em` is a fresh EntityManager outside any transaction. */
  prepare?(chunk: C, payload: P, ctx: ChunkContext): Promise<D>;
  /** Runs in the chunk's transaction (`ctx.em`); `ctx.prepared` is what `prepare` returned (undefined without it). */
  processChunk(chunk: C, payload: P, ctx: ChunkContext & { prepared: D }): Promise<void>;
  /** Attempts per chunk before it is marked FAILED (default 3). */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt (default 500 ms). */
  backoffMs?: number;
  /** Longest retry delay, for jobs that poll another block or a provider (default: no cap). */
  maxBackoffMs?: number;
}

export interface EnqueueOptions {
  /** The same key returns the existing job; the same key with another payload is refused. */
  idempotencyKey?: string;
}

/** The jobs port: in-process by default, BullMQ when REDIS_URL is set. */
export interface JobQueue {
  readonly kind: "in-process" | "bullmq";
  register<P, C, D>(definition: JobDefinition<P, C, D>): void;
  /** Starts processing and re-dispatches every unfinished job found in the database. */
  start(): Promise<void>;
  enqueue(name: string, payload: unknown, options?: EnqueueOptions): Promise<JobRecord>;
  get(jobId: string): Promise<JobRecord | null>;
  /** Resolves when the job is COMPLETED or FAILED (tests, CLIs). */
  waitFor(jobId: string, timeoutMs?: number): Promise<JobRecord>;
  stop(): Promise<void>;
}
