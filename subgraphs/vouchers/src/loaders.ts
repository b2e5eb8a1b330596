import type { EntityManager } from "@mikro-orm/core";
import { loaderByKey, loaderGroupedBy } from "@g2p/kit";
import { Merchant } from "./entities/merchant.entity";
import { Redemption } from "./entities/redemption.entity";
import { VoucherEvent } from "./entities/voucher-event.entity";
import { Voucher } from "./entities/voucher.entity";

export function createLoaders(em: EntityManager) {
  return {
    voucherById: loaderByKey(em, Voucher),
    vouchersByRegistrant: loaderGroupedBy(em, Voucher, "registrantId", { createdAt: "asc", id: "asc" }),
    eventsByVoucher: loaderGroupedBy(em, VoucherEvent, "voucherId", { at: "asc", id: "asc" }),
    redemptionByVoucher: loaderByKey(em, Redemption, "activeVoucherId"),
    redemptionsByVoucher: loaderGroupedBy(em, Redemption, "voucherId", { at: "asc", id: "asc" }),
    merchantById: loaderByKey(em, Merchant),
  };
}
export type VouchersLoaders = ReturnType<typeof createLoaders>;
