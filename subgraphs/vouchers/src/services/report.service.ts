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

export interface MerchantRow {
  merchantId: string;
  currency: string | null;
  count: number;
  totalValue: string | null;
}

const money = new MoneyType();

/** Counts and values by status (and cycle) for one program, in one grouped query. */
export async function statusReport(em: EntityManager, programId: string): Promise<StatusRow[]> {
  const rows: { cycle_id: string | null; status: string; currency: string | null; n: number | string; total: string | number | null }[] = await em
    .createQueryBuilder("Voucher", "v")
    .select(["v.cycle_id", "v.status", "v.currency", raw("count(*) as n"), raw("sum(v.value) as total")])
    .where({ programId })
    .groupBy(["v.cycle_id", "v.status", "v.currency"])
    .orderBy({ "v.cycle_id": "asc", "v.status": "asc" })
    .execute("all", false);
  const platform = em.getPlatform();
  return rows.map((r) => ({
    cycleId: r.cycle_id,
    status: r.status,
    currency: r.currency,
    count: Number(r.n),
    totalValue: r.total == null ? null : money.convertToJSValue(r.total, platform),
  }));
}

/** Redemptions per merchant for one program. */
export async function merchantReport(em: EntityManager, programId: string): Promise<MerchantRow[]> {
  const rows: { merchant_id: string; currency: string | null; n: number | string; total: string | number | null }[] = await em
    .createQueryBuilder("Redemption", "r")
    .select(["r.merchant_id", "r.currency", raw("count(*) as n"), raw("sum(r.amount) as total")])
    .where({ programId })
    .groupBy(["r.merchant_id", "r.currency"])
    .execute("all", false);
  const platform = em.getPlatform();
  return rows.map((r) => ({ merchantId: r.merchant_id, currency: r.currency, count: Number(r.n), totalValue: r.total == null ? null : money.convertToJSValue(r.total, platform) }));
}
