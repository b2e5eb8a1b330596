/**
 * The voucher state machine. Every change is a conditional UPDATE (`WHERE status IN (allowed)`), so
 * two concurrent operations on one voucher can never both succeed; the winner writes the history
 * line and the audit line in the same transaction.
 */
import type { EntityManager, FilterQuery } from "@mikro-orm/core";
import { audit, userError, type AuditActor } from "@g2p/kit";
import { Voucher, VoucherStatus, TERMINAL_STATUSES } from "../entities/voucher.entity";
import { VoucherEvent } from "../entities/voucher-event.entity";

export type VoucherAction = "activate" | "suspend" | "reactivate" | "cancel" | "expire" | "redeem" | "payout_failed";

export const TRANSITIONS: Record<VoucherAction, { from: VoucherStatus[]; to: VoucherStatus }> = {
  activate: { from: [VoucherStatus.INACTIVE], to: VoucherStatus.ACTIVE },
  suspend: { from: [VoucherStatus.ACTIVE], to: VoucherStatus.SUSPENDED },
  reactivate: { from: [VoucherStatus.SUSPENDED], to: VoucherStatus.ACTIVE },
  cancel: { from: [VoucherStatus.INACTIVE, VoucherStatus.ACTIVE, VoucherStatus.SUSPENDED], to: VoucherStatus.CANCELLED },
  expire: { from: [VoucherStatus.INACTIVE, VoucherStatus.ACTIVE, VoucherStatus.SUSPENDED], to: VoucherStatus.EXPIRED },
  redeem: { from: [VoucherStatus.ACTIVE], to: VoucherStatus.UTILIZED },
  // As Payment Hub EE's redeemPay: a redemption whose payout failed gives the voucher back.
  payout_failed: { from: [VoucherStatus.UTILIZED], to: VoucherStatus.ACTIVE },
};

export function refuse(voucher: Voucher, action: VoucherAction): never {
  const why = TERMINAL_STATUSES.includes(voucher.status) ? "is final" : "does not allow it";
  throw userError("CONFLICT", `Cannot ${action} voucher ${voucher.serialNumber}: its status ${voucher.status} ${why}`, {
    serialNumber: voucher.serialNumber,
    status: voucher.status,
  });
}

/**
 * Moves one voucher through `action` inside `em`'s transaction. `extraWhere` adds guards (e.g. not
 * expired); `changes` are written with the status. Returns false when another operation won the race
 * or a guard failed (the caller re-reads and explains).
 */
export async function transition(
  em: EntityManager,
  actor: AuditActor,
  voucher: Voucher,
  action: VoucherAction,
  opts: { reason?: string | null; extraWhere?: FilterQuery<Voucher>; changes?: Partial<Voucher> } = {},
): Promise<boolean> {
  const rule = TRANSITIONS[action];
  const now = new Date();
  const where = { id: voucher.id, status: { $in: rule.from }, ...(opts.extraWhere as object) } as FilterQuery<Voucher>;
  const changed = await em.nativeUpdate(Voucher, where, { status: rule.to, updatedAt: now, ...opts.changes });
  if (changed !== 1) return false;
  const from = voucher.status;
  em.persist(
    em.create(VoucherEvent, {
      voucherId: voucher.id,
      fromStatus: from,
      toStatus: rule.to,
      action,
      reason: opts.reason ?? null,
      actor: actor.viewer.sub ?? "system",
      at: now,
    }),
  );
  audit(em, actor, {
    action: `voucher.${action}`,
    entityType: "Voucher",
    entityId: voucher.id,
    changes: { status: { from, to: rule.to }, ...(opts.reason ? { reason: opts.reason } : {}), ...(opts.changes ?? {}) },
  });
  await em.flush();
  Object.assign(voucher, { status: rule.to, updatedAt: now, ...opts.changes });
  return true;
}
