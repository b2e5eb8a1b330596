import type { EntityManager } from "@mikro-orm/core";
import { loaderByKey, loaderGroupedBy } from "@g2p/kit";
import { DisbursementBatch } from "./entities/disbursement-batch.entity";
import { Payment } from "./entities/payment.entity";

export function createLoaders(em: EntityManager) {
  return {
    batchById: loaderByKey(em, DisbursementBatch),
    paymentsByBatch: loaderGroupedBy(em, Payment, "batchId", { createdAt: "asc", id: "asc" }),
    paymentsByRegistrant: loaderGroupedBy(em, Payment, "registrantId", { createdAt: "asc", id: "asc" }),
  };
}
export type PaymentsLoaders = ReturnType<typeof createLoaders>;
