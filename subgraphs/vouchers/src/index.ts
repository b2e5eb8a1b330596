import "reflect-metadata";
import { defineSubgraph } from "@g2p/kit";
import { Merchant } from "./entities/merchant.entity";
import { Redemption } from "./entities/redemption.entity";
import { RegistrantRef } from "./entities/registrant-ref";
import { SigningKey } from "./entities/signing-key.entity";
import { VoucherEvent } from "./entities/voucher-event.entity";
import { Voucher } from "./entities/voucher.entity";
import { VoucherBatch, VoucherDelivery, VoucherInstruction } from "./entities/voucher-batch.entity";
import { expirySweep } from "./jobs";
import { batchIssuance } from "./services/batch-issuance.service";
import { cycleIssuance } from "./services/cycle-issuance.service";
import { settlementJob } from "./services/settlement.service";
import { VoucherSettlement } from "./entities/settlement.entity";
import { createLoaders, type VouchersLoaders } from "./loaders";
import { migrations as postgresql } from "./migrations/postgresql";
import { migrations as sqlite } from "./migrations/sqlite";
import { MerchantResolver, RedemptionResolver, RegistrantVouchersResolver, VoucherResolver } from "./resolvers/voucher.resolver";
import { SettlementResolver } from "./resolvers/settlement.resolver";

export { Voucher, VoucherStatus } from "./entities/voucher.entity";
export { resetVouchersConfig } from "./config";
/** The bulk issuing step, exported for the benchmark (test/bench/vouchers.bench.ts). */
export { issueChunk, prepareChunk, deliver, type ValidInstruction, type DeliveredVoucher, type PreparedChunk } from "./services/bulk-issue.service";
export { signingKey } from "./domain/qr";
/** Redemption without HTTP, for the benchmark's service-level figure. */
export { redeemVoucher } from "./services/redemption.service";

/** Vouchers: issuance, lifecycle, merchants, redemption with identity checks, reporting. */
export const subgraph = defineSubgraph<VouchersLoaders>({
  name: "vouchers",
  defaultPort: 4005,
  entities: [Voucher, VoucherEvent, Merchant, Redemption, SigningKey, VoucherBatch, VoucherInstruction, VoucherDelivery, VoucherSettlement],
  resolvers: [VoucherResolver, MerchantResolver, RedemptionResolver, RegistrantVouchersResolver, SettlementResolver],
  orphanedTypes: [RegistrantRef],
  references: [
    { typeName: "Voucher", loader: (l) => l.voucherById },
    { typeName: "Merchant", loader: (l) => l.merchantById },
  ],
  createLoaders,
  migrations: { sqlite, postgresql },
  jobs: [expirySweep, batchIssuance, cycleIssuance, settlementJob],
});
