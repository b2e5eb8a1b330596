import type { EntityManager } from "@mikro-orm/core";
import { assertCurrency, audit, badInput, fromMinorUnits, toMinorUnits, userError, type AuditActor } from "@g2p/kit";
import { DisbursementBatch } from "../entities/disbursement-batch.entity";
import { Payment } from "../entities/payment.entity";

export interface NewBatch {
  clientCorrelationId: string;
  currency: string;
  payments: { registrantId: string; amount: string }[];
}

export const MAX_INLINE_PAYMENTS = 10_000;

/** Canonical form of a batch request, to tell a true retry from a reused correlation id. */
function fingerprint(input: NewBatch): string {
  return JSON.stringify([input.currency, input.payments.map((p) => [p.registrantId, toMinorUnits(p.amount).toString()])]);
}

/**
 * Stores a batch and its payments in one transaction. The same correlation id with the same payload
 * returns the existing batch; with a different payload it is refused.
 */
export async function createBatch(em: EntityManager, actor: AuditActor, input: NewBatch): Promise<DisbursementBatch> {
  const currency = assertCurrency(input.currency);
  const correlationId = input.clientCorrelationId.trim();
  if (!correlationId || correlationId.length > 100) throw badInput("clientCorrelationId must be 1 to 100 characters", "clientCorrelationId");
  if (input.payments.length === 0) throw badInput("a batch needs at least one payment", "payments");
  if (input.payments.length > MAX_INLINE_PAYMENTS) throw badInput(`at most ${MAX_INLINE_PAYMENTS} payments inline; upload larger batches`, "payments");
  const minors = input.payments.map((p, i) => toMinorUnits(p.amount, `payments[${i}].amount`));

  const existing = await em.findOne(DisbursementBatch, { clientCorrelationId: correlationId });
  if (existing) {
    const payments = await em.find(Payment, { batchId: existing.id }, { orderBy: { createdAt: "asc", id: "asc" } });
    const before = fingerprint({ clientCorrelationId: correlationId, currency: existing.currency, payments });
    if (before !== fingerprint(input)) {
      throw userError("IDEMPOTENCY_MISMATCH", `clientCorrelationId ${correlationId} was used for a different batch`);
    }
    return existing;
  }
  const total = minors.reduce((a, b) => a + b, 0n);
  return em.transactional(async (tx) => {
    const batch = tx.create(DisbursementBatch, {
      clientCorrelationId: correlationId,
      currency,
      totalAmount: fromMinorUnits(total),
      paymentCount: input.payments.length,
    });
    const createdAt = new Date();
    input.payments.forEach((p, i) =>
      tx.persist(
        tx.create(Payment, {
          batchId: batch.id,
          registrantId: p.registrantId,
          amount: fromMinorUnits(minors[i]!),
          currency,
          // Strictly increasing timestamps keep the submitted order readable back.
          createdAt: new Date(createdAt.getTime() + i),
        }),
      ),
    );
    audit(tx, actor, {
      action: "batch.create",
      entityType: "DisbursementBatch",
      entityId: batch.id,
      changes: { clientCorrelationId: correlationId, currency, totalAmount: batch.totalAmount, paymentCount: batch.paymentCount },
    });
    return batch;
  });
}
