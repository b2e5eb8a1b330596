import "reflect-metadata";
import { defineSubgraph } from "@g2p/kit";
import { RegistrantRef } from "./entities/registrant-ref";
import { Voucher } from "./entities/voucher.entity";
import { createLoaders, type VouchersLoaders } from "./loaders";
import { migrations as postgresql } from "./migrations/postgresql";
import { migrations as sqlite } from "./migrations/sqlite";
import { RegistrantVouchersResolver, VoucherResolver } from "./resolvers/voucher.resolver";

export { Voucher, VoucherStatus } from "./entities/voucher.entity";

/** Vouchers: issuance (activation, redemption, reimbursement grow here). */
export const subgraph = defineSubgraph<VouchersLoaders>({
  name: "vouchers",
  defaultPort: 4005,
  entities: [Voucher],
  resolvers: [VoucherResolver, RegistrantVouchersResolver],
  orphanedTypes: [RegistrantRef],
  references: [{ typeName: "Voucher", loader: (l) => l.voucherById }],
  createLoaders,
  migrations: { sqlite, postgresql },
});
