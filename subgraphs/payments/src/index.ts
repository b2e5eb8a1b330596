import "reflect-metadata";
import { defineSubgraph } from "@g2p/kit";
import { RegistrantRef } from "./entities/registrant-ref";
import { DisbursementBatch } from "./entities/disbursement-batch.entity";
import { Payment } from "./entities/payment.entity";
import { createLoaders, type PaymentsLoaders } from "./loaders";
import { migrations as postgresql } from "./migrations/postgresql";
import { migrations as sqlite } from "./migrations/sqlite";
import { DisbursementBatchResolver, RegistrantPaymentsResolver } from "./resolvers/batch.resolver";

export { DisbursementBatch, BatchStatus } from "./entities/disbursement-batch.entity";
export { Payment, PaymentStatus } from "./entities/payment.entity";

/** Payments: disbursement batches and payment instructions (pipeline, connectors, ledger grow here). */
export const subgraph = defineSubgraph<PaymentsLoaders>({
  name: "payments",
  defaultPort: 4004,
  entities: [DisbursementBatch, Payment],
  resolvers: [DisbursementBatchResolver, RegistrantPaymentsResolver],
  orphanedTypes: [RegistrantRef],
  references: [{ typeName: "DisbursementBatch", loader: (l) => l.batchById }],
  createLoaders,
  migrations: { sqlite, postgresql },
});
