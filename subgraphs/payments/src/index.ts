import "reflect-metadata";
import { defineSubgraph } from "@g2p/kit";
import { RegistrantRef } from "./entities/registrant-ref";
import { DisbursementBatch } from "./entities/disbursement-batch.entity";
import { JournalEntry, JournalLine, LedgerAccount, LedgerHold } from "./entities/ledger.entity";
import { FinancialAddressLink, PaymentProvider } from "./entities/mapper.entity";
import { Payment } from "./entities/payment.entity";
import { PaymentNotification } from "./entities/notification.entity";
import { NotificationTemplate } from "./entities/notification-template.entity";
import { paymentsBackground } from "./background";
import { gsmaCallbackRoute } from "./connectors/gsma-callbacks";
import { mojaloopRoutes } from "./connectors/mojaloop";
import { pipelineJob } from "./jobs/pipeline.job";
import { createLoaders, type PaymentsLoaders } from "./loaders";
import { migrations as postgresql } from "./migrations/postgresql";
import { migrations as sqlite } from "./migrations/sqlite";
import { DisbursementBatchResolver, RegistrantPaymentsResolver } from "./resolvers/batch.resolver";
import { LedgerResolver } from "./resolvers/ledger.resolver";
import { MapperResolver } from "./resolvers/mapper.resolver";
import { PaymentPrivacyResolver } from "./resolvers/payment-privacy.resolver";
import { NotificationResolver } from "./resolvers/notification.resolver";

export { DisbursementBatch, BatchStatus } from "./entities/disbursement-batch.entity";
export { Payment, PaymentStatus, ReconciliationStatus } from "./entities/payment.entity";
export { PaymentNotification, NotificationStatus } from "./entities/notification.entity";
export { NotificationTemplate, NotificationChannel, NotificationEvent } from "./entities/notification-template.entity";
export { ConnectorKind, ProviderKind } from "./entities/mapper.entity";
export { submitBatch, submitCsvBatch } from "./services/batch.service";
export { post, trialBalance } from "./services/ledger.service";
export { upsertProvider, parseFinancialAddress } from "./services/mapper.service";
export { SYSTEM, statusCounts } from "./services/pipeline.service";
/** The ISO 20022 codec, also used by the bank simulator in test/simulators. */
export * as iso20022 from "./connectors/iso20022";

/** Payments: batches and their pipeline, account mapper, connectors, ledger. See docs/payments.md. */
export const subgraph = defineSubgraph<PaymentsLoaders>({
  name: "payments",
  defaultPort: 4004,
  entities: [DisbursementBatch, Payment, LedgerAccount, JournalEntry, JournalLine, LedgerHold, PaymentProvider, FinancialAddressLink, PaymentNotification, NotificationTemplate],
  resolvers: [DisbursementBatchResolver, RegistrantPaymentsResolver, MapperResolver, LedgerResolver, NotificationResolver, PaymentPrivacyResolver],
  orphanedTypes: [RegistrantRef],
  references: [{ typeName: "DisbursementBatch", loader: (l) => l.batchById }],
  createLoaders,
  migrations: { sqlite, postgresql },
  jobs: [pipelineJob],
  routes: (services) => ({
    ...mojaloopRoutes(services),
    // GSMA X-Callback-URL target: /callbacks/gsma/<paymentId>/<token> (connectors/gsma-callbacks.ts).
    "PUT /callbacks/gsma/*": gsmaCallbackRoute({ orm: services.orm, log: services.log, secret: () => process.env.PAYMENTS_CALLBACK_SECRET ?? null }),
  }),
  background: paymentsBackground,
});
