import "reflect-metadata";
import { defineSubgraph } from "@g2p/kit";
import { RegistrantRef } from "./entities/registrant-ref";
import { Identity } from "./entities/identity.entity";
import { createLoaders, type IdentityLoaders } from "./loaders";
import { migrations as postgresql } from "./migrations/postgresql";
import { migrations as sqlite } from "./migrations/sqlite";
import { IdentityResolver, RegistrantIdentityResolver } from "./resolvers/identity.resolver";

export { Identity, IdentityStatus } from "./entities/identity.entity";

/** Identity, MOSIP-style: identities, and the link from a registrant to its identity token. */
export const subgraph = defineSubgraph<IdentityLoaders>({
  name: "identity",
  defaultPort: 4002,
  entities: [Identity],
  resolvers: [IdentityResolver, RegistrantIdentityResolver],
  orphanedTypes: [RegistrantRef],
  references: [{ typeName: "Identity", loader: (l) => l.identityById }],
  createLoaders,
  migrations: { sqlite, postgresql },
});
