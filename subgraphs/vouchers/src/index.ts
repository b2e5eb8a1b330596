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
import { createLoaders, type VouchersLoaders } from "./loaders";
import { migrations as postgresql } from "./migrations/postgresql";
import { migrations as sqlite } from "./migrations/sqlite";
import { MerchantResolver, RedemptionResolver, RegistrantVouchersResolver, VoucherResolver } from "./resolvers/voucher.resolver";

export { Voucher, VoucherStatus } from "./entities/voucher.entity";

/** Vouchers: issuance, lifecycle, merchants, redemption with identity checks, reporting. */
export const subgraph = defineSubgraph<VouchersLoaders>({
  name: "vouchers",
  defaultPort: 4005,
  entities: [Voucher, VoucherEvent, Merchant, Redemption, SigningKey, VoucherBatch, VoucherInstruction, VoucherDelivery],
  resolvers: [VoucherResolver, MerchantResolver, RedemptionResolver, RegistrantVouchersResolver],
  orphanedTypes: [RegistrantRef],
  references: [
    { typeName: "Voucher", loader: (l) => l.voucherById },
    { typeName: "Merchant", loader: (l) => l.merchantById },
  ],
  createLoaders,
  migrations: { sqlite, postgresql },
  jobs: [expirySweep, batchIssuance],
});
