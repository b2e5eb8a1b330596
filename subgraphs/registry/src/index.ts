import "reflect-metadata";
import { defineSubgraph } from "@g2p/kit";
import { DedupCandidate } from "./entities/dedup-candidate.entity";
import { FinancialAddress } from "./entities/financial-address.entity";
import { IdType, Identifier } from "./entities/identifier.entity";
import { ImportIssue, ImportRow, RegistryImport, RegistrySetting } from "./entities/import.entity";
import { GroupMembership } from "./entities/membership.entity";
import { Registrant } from "./entities/registrant.entity";
import { RegistrantKey } from "./entities/registrant-key.entity";
import { createLoaders, type RegistryLoaders } from "./loaders";
import { migrations as postgresql } from "./migrations/postgresql";
import { migrations as sqlite } from "./migrations/sqlite";
import { DedupResolver } from "./resolvers/dedup.resolver";
import { ImportResolver } from "./resolvers/import.resolver";
import { ProcessingResolver } from "./resolvers/processing.resolver";
import { GroupMembershipResolver, RegistrantResolver } from "./resolvers/registrant.resolver";
import { SettingsResolver } from "./resolvers/settings.resolver";
import { importJob } from "./services/import/import.service";

export { Registrant, RegistrantKind } from "./entities/registrant.entity";
export { scorePair, pairsInMemory } from "./services/dedup.service";
export { registrantKeys } from "./services/normalize";
export { bulkSql, bulkSqlTimings } from "./services/bulk-sql";
export { timeOrderedId } from "./services/ids";
export { DEFAULT_DEDUP } from "./services/settings.service";
export type { OdkMapping } from "./services/import/mapping";

/** The registry: people, households, identifiers, financial addresses, enrollment intake, deduplication. */
export const subgraph = defineSubgraph<RegistryLoaders>({
  name: "registry",
  defaultPort: 4001,
  entities: [Registrant, GroupMembership, IdType, Identifier, FinancialAddress, RegistrantKey, DedupCandidate, RegistryImport, ImportRow, ImportIssue, RegistrySetting],
  resolvers: [RegistrantResolver, GroupMembershipResolver, ProcessingResolver, ImportResolver, DedupResolver, SettingsResolver],
  references: [{ typeName: "Registrant", loader: (l) => l.registrantById }],
  createLoaders,
  migrations: { sqlite, postgresql },
  jobs: [importJob],
});
