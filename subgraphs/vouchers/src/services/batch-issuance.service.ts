/**
 * Bulk issuance: instructions are validated and staged in one transaction, then a job issues them in
 * chunks of 1,000. Each chunk's vouchers, its encrypted delivery envelope and the removal of its
 * staged instructions commit together, so a crash or retry never issues twice nor loses a secret.
 */
import type { EntityManager } from "@mikro-orm/core";
import { audit, badInput, createViewer, userError, type AuditActor, type JobDefinition } from "@g2p/kit";
import { importJWK, type JWK } from "jose";
import { signingKey } from "../domain/qr";
import { VoucherBatch, VoucherInstruction } from "../entities/voucher-batch.entity";
import { deliver, DELIVERY_KEY_ALG as KEY_ALG, discard, issueChunk, prepareChunk, type PreparedChunk, type ValidInstruction } from "./bulk-issue.service";
import { validateNewVoucher, type NewVoucher } from "./issuance.service";

export const BATCH_CHUNK = 1000;
const BATCH_ACTOR: AuditActor = { viewer: createViewer({ sub: "system:voucher-batch", roles: [] }) };
export const MAX_BATCH = 10_000;

export async function deliveryKeyOf(raw: string): Promise<JWK> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(raw) as JWK;
    if (jwk.kty !== "EC" || jwk.crv !== "P-256" || "d" in jwk) throw new Error("not an EC P-256 public key");
    await importJWK(jwk, KEY_ALG);
  } catch (err) {
    throw badInput(`deliveryKey must be a public EC P-256 JWK: ${err instanceof Error ? err.message : String(err)}`, "deliveryKey");
  }
  return jwk;
}

export async function startBatch(
  em: EntityManager,
  actor: AuditActor,
  jobs: { enqueue(name: string, payload: unknown, o?: { idempotencyKey?: string }): Promise<{ id: string }> },
  input: { batchId: string; deliveryKey: string; vouchers: NewVoucher[] },
): Promise<VoucherBatch> {
  const batchId = input.batchId.trim();
  if (!batchId || batchId.length > 100) throw badInput("batchId must be 1 to 100 characters", "batchId");
  if (input.vouchers.length === 0 || input.vouchers.length > MAX_BATCH) throw badInput(`give 1 to ${MAX_BATCH} vouchers per batch`, "vouchers");
  const existing = await em.findOne(VoucherBatch, { batchId });
  if (existing) {
    if (existing.instructionCount !== input.vouchers.length) throw userError("IDEMPOTENCY_MISMATCH", `batchId ${batchId} was used for another batch`);
    return existing.jobId ? existing : enqueue(em, jobs, existing); // a crash after staging: start it now
  }
  const deliveryKey = await deliveryKeyOf(input.deliveryKey);
  const seen = new Set<string>();
  input.vouchers.forEach((v, i) => {
    try {
      validateNewVoucher(v);
    } catch (err) {
      throw badInput(`vouchers[${i}]: ${err instanceof Error ? err.message : String(err)}`, `vouchers[${i}]`);
    }
    if (seen.has(v.instructionId)) throw badInput(`vouchers[${i}]: instructionId ${v.instructionId} appears twice`, `vouchers[${i}].instructionId`);
    seen.add(v.instructionId);
  });
  const batch = await em.transactional(async (tx) => {
    const staged = tx.create(VoucherBatch, { batchId, deliveryKey: deliveryKey as unknown as Record<string, unknown>, instructionCount: input.vouchers.length, jobId: null });
    input.vouchers.forEach((v, seq) =>
      tx.persist(tx.create(VoucherInstruction, { batchId: staged.id, seq, input: { ...v, expiresAt: v.expiresAt?.toISOString() ?? null } as Record<string, unknown> })),
    );
    audit(tx, actor, { action: "voucher.batch", entityType: "VoucherBatch", entityId: staged.id, changes: { batchId, count: input.vouchers.length } });
    return staged;
  });
  // After the commit: the job reads what was staged (and SQLite has one connection).
  return enqueue(em, jobs, batch);
}

async function enqueue(em: EntityManager, jobs: Parameters<typeof startBatch>[2], batch: VoucherBatch): Promise<VoucherBatch> {
  const job = await jobs.enqueue(batchIssuance.name, { batchId: batch.id }, { idempotencyKey: `voucher-batch:${batch.id}` });
  await em.nativeUpdate(VoucherBatch, { id: batch.id }, { jobId: job.id });
  batch.jobId = job.id;
  return batch;
}

/** The staged instructions of one chunk, validated again (they were validated when staged). */
async function stagedInstructions(em: EntityManager, batchId: string, from: number, to: number): Promise<ValidInstruction[]> {
  const staged = await em.find(VoucherInstruction, { batchId, seq: { $gte: from, $lte: to } }, { orderBy: { seq: "asc" } });
  return staged.map((s) => {
    const input = s.input as unknown as NewVoucher & { expiresAt: string | null; areaCode?: string | null };
    const { value, currency, basket } = validateNewVoucher({ ...input, expiresAt: null });
    return {
      instructionId: input.instructionId.trim(),
      programId: input.programId,
      cycleId: input.cycleId ?? null,
      registrantId: input.registrantId,
      groupCode: input.groupCode ?? null,
      areaCode: input.areaCode ?? null,
      value,
      currency,
      basket,
      expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      presenceRequired: input.presenceRequired ?? true,
    };
  });
}

export const batchIssuance: JobDefinition<{ batchId: string }, { chunk: number; from: number; to: number }, PreparedChunk> = {
  name: "voucher-batch-issuance",
  maxAttempts: 3,
  backoffMs: 500,
  async plan({ batchId }, { em }) {
    const batch = await em.findOneOrFail(VoucherBatch, batchId);
    const chunks = Math.ceil(batch.instructionCount / BATCH_CHUNK);
    return Array.from({ length: chunks }, (_, chunk) => ({ chunk, from: chunk * BATCH_CHUNK, to: Math.min(batch.instructionCount, (chunk + 1) * BATCH_CHUNK) - 1 }));
  },
  /**
   * Outside the transaction (kit jobs' `prepare`): reads the staged instructions and has the issuing
   * worker draw their numbers and sign their QR codes, while another chunk may be committing. No
   * effect of its own: each attempt prepares anew, and what it prepared is written at most once.
   */
  async prepare({ from, to }, { batchId }, { em }) {
    return prepareChunk(await signingKey(em), await stagedInstructions(em, batchId, from, to));
  },
  async processChunk({ chunk, from, to }, { batchId }, { em, prepared }) {
    const batch = await em.findOneOrFail(VoucherBatch, batchId);
    const key = await signingKey(em);
    // The staged rows are deleted only by this chunk's own commit; the count confirms what was prepared.
    const usable = prepared?.numbers && (await em.count(VoucherInstruction, { batchId, seq: { $gte: from, $lte: to } })) === prepared.instructions.length;
    if (prepared && !usable) discard(prepared);
    const instructions = usable ? prepared.instructions : await stagedInstructions(em, batchId, from, to);
    const out = await issueChunk(em, key, instructions, "system:voucher-batch", usable ? prepared : undefined);
    await deliver(em, batchId, chunk, batch.deliveryKey, out);
    await em.nativeDelete(VoucherInstruction, { batchId, seq: { $gte: from, $lte: to } });
    audit(em, BATCH_ACTOR, {
      action: "voucher.batch.chunk",
      entityType: "VoucherBatch",
      entityId: batchId,
      changes: { chunk, issued: out.filter((o) => !o.alreadyIssued).length, skipped: out.filter((o) => o.alreadyIssued).length },
    });
  },
};
