import type { EntityManager } from "@mikro-orm/core";
import { badInput, type AuditActor, type Viewer } from "@g2p/kit";
import { vouchersConfig } from "../config";
import { Voucher, VoucherStatus } from "../entities/voucher.entity";
import { assertProgramScope } from "./access";
import { transition, type VoucherAction } from "./transitions";

export interface CommandResult {
  serialNumber: string;
  ok: boolean;
  status: VoucherStatus | null;
  error: string | null;
}

export const MAX_SERIALS_PER_COMMAND = 1000;

/**
 * activate / suspend / reactivate / cancel for a list of serial numbers: each voucher succeeds or
 * fails on its own (the failures are reported, as Payment Hub EE's failedCases).
 */
export async function runCommand(
  em: EntityManager,
  actor: AuditActor & { viewer: Viewer },
  action: Exclude<VoucherAction, "redeem" | "expire" | "payout_failed">,
  serialNumbers: string[],
  reason: string | null,
): Promise<CommandResult[]> {
  if (serialNumbers.length === 0 || serialNumbers.length > MAX_SERIALS_PER_COMMAND) {
    throw badInput(`give 1 to ${MAX_SERIALS_PER_COMMAND} serial numbers`, "serialNumbers");
  }
  if ((action === "suspend" || action === "cancel") && !reason?.trim()) throw badInput(`a reason is required to ${action}`, "reason");
  const vouchers = await em.find(Voucher, { serialNumber: { $in: serialNumbers } });
  const bySerial = new Map(vouchers.map((v) => [v.serialNumber, v]));
  const now = new Date();
  const results: CommandResult[] = [];
  for (const serialNumber of serialNumbers) {
    const voucher = bySerial.get(serialNumber);
    if (!voucher) {
      results.push({ serialNumber, ok: false, status: null, error: "NOT_FOUND" });
      continue;
    }
    try {
      assertProgramScope(actor.viewer, voucher.programId);
    } catch {
      results.push({ serialNumber, ok: false, status: null, error: "FORBIDDEN" });
      continue;
    }
    const ok = await em.fork().transactional(async (tx) => {
      if (action === "reactivate" && voucher.expiresAt && voucher.expiresAt <= now) {
        // Payment Hub EE reactivates expired vouchers; we expire them instead.
        await transition(tx, actor, voucher, "expire", { reason: "expired while suspended" });
        return false;
      }
      const changes =
        action === "activate"
          ? { activatedAt: now, expiresAt: voucher.expiresAt ?? new Date(now.getTime() + vouchersConfig().VOUCHER_VALIDITY_DAYS * 86_400_000) }
          : undefined;
      return transition(tx, actor, voucher, action, { reason, changes });
    });
    const fresh = ok ? voucher : await em.fork().findOne(Voucher, voucher.id);
    results.push({
      serialNumber,
      ok,
      status: fresh?.status ?? null,
      error: ok ? null : `status ${fresh?.status} does not allow ${action}`,
    });
  }
  return results;
}

/** Expires up to `limit` vouchers whose expiry has passed; returns how many. Safe to run concurrently. */
export async function expireDue(em: EntityManager, actor: AuditActor, limit = 1000, now = new Date()): Promise<number> {
  const due = await em.find(
    Voucher,
    { status: { $in: [VoucherStatus.INACTIVE, VoucherStatus.ACTIVE, VoucherStatus.SUSPENDED] }, expiresAt: { $lte: now } },
    { limit, orderBy: { expiresAt: "asc", id: "asc" } },
  );
  let expired = 0;
  for (const voucher of due) {
    // Nested in a job chunk's transaction this is a savepoint; on its own, a transaction.
    const ok = await em.transactional((tx) => transition(tx, actor, voucher, "expire", { reason: "expiry date passed", extraWhere: { expiresAt: { $lte: now } } }));
    if (ok) expired++;
  }
  return expired;
}
