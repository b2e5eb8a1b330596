import { raw, type EntityManager } from "@mikro-orm/knex";
import { MoneyType } from "@g2p/kit";

export interface StatusRow {
  cycleId: string | null;
  status: string;
  count: number;
  /** Sum of values (exact decimal string), per currency. */
  currency: string | null;
  totalValue: string | null;
}

export interface AreaRow {
  areaCode: string | null;
  status: string;
  count: number;
  currency: string | null;
  totalValue: string | null;
}

export interface MerchantRow {
  merchantId: string;
  currency: string | null;
  count: number;
  totalValue: string | null;
}

export interface ReimbursementRow extends MerchantRow {
  reimbursementStatus: string;
}

const money = new MoneyType();
type Raw = Record<string, string | number | null>;

function total(em: EntityManager, v: string | number | null): string | null {
  return v == null ? null : money.convertToJSValue(v, em.getPlatform());
}

function scope(programId: string, cycleId?: string | null): Record<string, string> {
  return cycleId ? { programId, cycleId } : { programId };
}

/** Counts and values by status (and cycle) for one program, in one grouped query. */
export async function statusReport(em: EntityManager, programId: string, cycleId?: string | null): Promise<StatusRow[]> {
  const rows: Raw[] = await em
    .createQueryBuilder("Voucher", "v")
    .select(["v.cycle_id", "v.status", "v.currency", raw("count(*) as n"), raw("sum(v.value) as total")])
    .where(scope(programId, cycleId))
    .groupBy(["v.cycle_id", "v.status", "v.currency"])
    .orderBy({ "v.cycle_id": "asc", "v.status": "asc" })
    .execute("all", false);
  return rows.map((r) => ({
    cycleId: r.cycle_id as string | null,
    status: String(r.status),
    currency: r.currency as string | null,
    count: Number(r.n),
    totalValue: total(em, r.total),
  }));
}

/** Counts and values by the beneficiaries' administrative area (stored at issuance) and status. */
export async function areaReport(em: EntityManager, programId: string, cycleId?: string | null): Promise<AreaRow[]> {
  const rows: Raw[] = await em
    .createQueryBuilder("Voucher", "v")
    .select(["v.area_code", "v.status", "v.currency", raw("count(*) as n"), raw("sum(v.value) as total")])
    .where(scope(programId, cycleId))
    .groupBy(["v.area_code", "v.status", "v.currency"])
    .orderBy({ "v.area_code": "asc", "v.status": "asc" })
    .execute("all", false);
  return rows.map((r) => ({ areaCode: r.area_code as string | null, status: String(r.status), currency: r.currency as string | null, count: Number(r.n), totalValue: total(em, r.total) }));
}

/** Standing redemptions per merchant for one program (redemptions whose payout failed are not counted). */
export async function merchantReport(em: EntityManager, programId: string): Promise<MerchantRow[]> {
  const rows: Raw[] = await em
    .createQueryBuilder("Redemption", "r")
    .select(["r.merchant_id", "r.currency", raw("count(*) as n"), raw("sum(r.amount) as total")])
    .where({ programId, activeVoucherId: { $ne: null } })
    .groupBy(["r.merchant_id", "r.currency"])
    .execute("all", false);
  return rows.map((r) => ({ merchantId: String(r.merchant_id), currency: r.currency as string | null, count: Number(r.n), totalValue: total(em, r.total) }));
}

/** Redemptions per merchant and reimbursement state (PENDING, SUBMITTED, PAID, FAILED). */
export async function reimbursementReport(em: EntityManager, programId: string): Promise<ReimbursementRow[]> {
  const rows: Raw[] = await em
    .createQueryBuilder("Redemption", "r")
    .select(["r.merchant_id", "r.reimbursement_status", "r.currency", raw("count(*) as n"), raw("sum(r.amount) as total")])
    .where({ programId })
    .groupBy(["r.merchant_id", "r.reimbursement_status", "r.currency"])
    .orderBy({ "r.merchant_id": "asc", "r.reimbursement_status": "asc" })
    .execute("all", false);
  return rows.map((r) => ({
    merchantId: String(r.merchant_id),
    reimbursementStatus: String(r.reimbursement_status),
    currency: r.currency as string | null,
    count: Number(r.n),
    totalValue: total(em, r.total),
  }));
}
