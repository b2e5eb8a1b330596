import type { EntityManager } from "@mikro-orm/core";
import { loaderByKey, loaderGroupedBy } from "@g2p/kit";
import { Voucher } from "./entities/voucher.entity";

export function createLoaders(em: EntityManager) {
  return {
    voucherById: loaderByKey(em, Voucher),
    vouchersByRegistrant: loaderGroupedBy(em, Voucher, "registrantId", { createdAt: "asc", id: "asc" }),
  };
}
export type VouchersLoaders = ReturnType<typeof createLoaders>;
