import type { EntityManager } from "@mikro-orm/core";
import { assertCurrency, audit, badInput, fromMinorUnits, toMinorUnits, userError, type AuditActor } from "@g2p/kit";
import { Voucher } from "../entities/voucher.entity";

export interface NewVoucher {
  instructionId: string;
  registrantId: string;
  value: string;
  currency: string;
}

/** Issues a voucher; the same instruction id returns the same voucher, a different payload is refused. */
export async function issueVoucher(em: EntityManager, actor: AuditActor, input: NewVoucher): Promise<Voucher> {
  const instructionId = input.instructionId.trim();
  if (!instructionId || instructionId.length > 100) throw badInput("instructionId must be 1 to 100 characters", "instructionId");
  const currency = assertCurrency(input.currency);
  const value = fromMinorUnits(toMinorUnits(input.value, "value"));
  const existing = await em.findOne(Voucher, { instructionId });
  if (existing) {
    const same = existing.registrantId === input.registrantId && existing.currency === currency && existing.value === value;
    if (!same) throw userError("IDEMPOTENCY_MISMATCH", `instructionId ${instructionId} was used for a different voucher`);
    return existing;
  }
  return em.transactional(async (tx) => {
    const voucher = tx.create(Voucher, { instructionId, registrantId: input.registrantId, value, currency });
    audit(tx, actor, {
      action: "voucher.issue",
      entityType: "Voucher",
      entityId: voucher.id,
      changes: { instructionId, registrantId: input.registrantId, value, currency, serialNumber: voucher.serialNumber },
    });
    return voucher;
  });
}
