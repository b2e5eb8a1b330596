import type { JobDefinition } from "@g2p/kit";
import { createViewer } from "@g2p/kit";
import { Voucher, VoucherStatus } from "./entities/voucher.entity";
import { expireDue } from "./services/lifecycle.service";

const SWEEP_CHUNK = 1000;
const SYSTEM = { viewer: createViewer({ sub: "system:voucher-expiry", roles: [] }) };

/**
 * The expiry sweeper (Payment Hub EE never writes EXPIRED): plans one chunk per 1,000 vouchers past
 * their expiry, each expiring what is still due (conditional updates, so re-runs are harmless).
 */
export const expirySweep: JobDefinition<{ now: string }, { limit: number }> = {
  name: "voucher-expiry-sweep",
  maxAttempts: 3,
  backoffMs: 1000,
  async plan({ now }, { em }) {
    const due = await em.count(Voucher, {
      status: { $in: [VoucherStatus.INACTIVE, VoucherStatus.ACTIVE, VoucherStatus.SUSPENDED] },
      expiresAt: { $lte: new Date(now) },
    });
    return Array.from({ length: Math.ceil(due / SWEEP_CHUNK) }, () => ({ limit: SWEEP_CHUNK }));
  },
  async processChunk({ limit }, { now }, { em }) {
    await expireDue(em, SYSTEM, limit, new Date(now));
  },
};
