import type { JobDefinition, JobQueue } from "@g2p/kit";
import { DisbursementBatch } from "../entities/disbursement-batch.entity";
import { authorize, dispatchRange, finish, markReadyRange, prepareRange } from "../services/pipeline.service";
import { isUniqueViolation } from "../services/sql";

export const PIPELINE_JOB = "payments.pipeline";

export interface PipelinePayload {
  batchId: string;
  /** full: prepare → authorize → (dispatch → finish unless approval is required); dispatch: after approval or a retry; reconcile: status queries only. */
  phase: "full" | "dispatch" | "reconcile";
  run: number;
}

/**
 * Enqueues a pipeline phase once per key. The payload is built with its keys in PostgreSQL jsonb's
 * order (shorter keys first) because the kit's engine compares stored and new payloads as JSON text,
 * and a concurrent double enqueue (unique key race) is taken as "already there".
 */
export async function enqueuePipeline(jobs: JobQueue, batchId: string, phase: PipelinePayload["phase"], run: number, key: string): Promise<void> {
  const payload = { run, phase, batchId } as PipelinePayload;
  try {
    await jobs.enqueue(PIPELINE_JOB, payload, { idempotencyKey: key });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
}

export type PipelineChunk = { step: "prepare" | "dispatch" | "ready"; from: number; to: number } | { step: "authorize" } | { step: "finish" };

export function chunkSize(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.PAYMENTS_CHUNK_SIZE ?? 500);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 10_000) : 500;
}

/** Marking READY is one indexed UPDATE per range and sends nothing: ten send-chunks per job chunk. */
const READY_RANGE_FACTOR = 10;

function ranges(step: "prepare" | "dispatch" | "ready", count: number): PipelineChunk[] {
  const size = chunkSize() * (step === "ready" ? READY_RANGE_FACTOR : 1);
  const out: PipelineChunk[] = [];
  for (let from = 0; from < count; from += size) out.push({ step, from, to: Math.min(count, from + size) });
  return out;
}

/**
 * One job per pipeline phase of a batch, planned into chunks of PAYMENTS_CHUNK_SIZE payments (by seq
 * range). Each chunk is one transaction with its DONE mark; a chunk that runs before the step it
 * depends on (a retried earlier chunk) throws NotReadyError and is retried with backoff.
 */
export const pipelineJob: JobDefinition<PipelinePayload, PipelineChunk> = {
  name: PIPELINE_JOB,
  maxAttempts: 10,
  backoffMs: 100,
  async plan(payload, { em }) {
    const batch = await em.findOne(DisbursementBatch, payload.batchId);
    if (!batch) return [];
    if (payload.phase === "reconcile") return [{ step: "finish" }];
    if (payload.phase === "dispatch") return [...ranges("dispatch", batch.paymentCount), { step: "finish" }];
    const prepare: PipelineChunk[] = [...ranges("prepare", batch.paymentCount), { step: "authorize" }];
    return batch.approvalRequired ? [...prepare, ...ranges("ready", batch.paymentCount)] : [...prepare, ...ranges("dispatch", batch.paymentCount), { step: "finish" }];
  },
  async processChunk(chunk, payload, { em, jobId, seq }) {
    switch (chunk.step) {
      case "prepare":
        return prepareRange(em, payload.batchId, chunk.from, chunk.to);
      case "authorize":
        return authorize(em, payload.batchId);
      case "ready":
        return markReadyRange(em, payload.batchId, chunk.from, chunk.to);
      case "dispatch":
        return dispatchRange(em, payload.batchId, chunk.from, chunk.to, `dispatch:${payload.batchId}:${jobId}:${seq}`);
      case "finish":
        return finish(em, payload.batchId);
    }
  },
};
