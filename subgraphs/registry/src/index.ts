import "reflect-metadata";
import { defineSubgraph } from "@g2p/kit";
import { Registrant } from "./entities/registrant.entity";
import { createLoaders, type RegistryLoaders } from "./loaders";
import { migrations as postgresql } from "./migrations/postgresql";
import { migrations as sqlite } from "./migrations/sqlite";
import { ProcessingResolver } from "./resolvers/processing.resolver";
import { RegistrantResolver } from "./resolvers/registrant.resolver";

export { Registrant, RegistrantKind } from "./entities/registrant.entity";

/** The registry: people, households and (as the domain grows) their identifiers and addresses. */
export const subgraph = defineSubgraph<RegistryLoaders>({
  name: "registry",
  defaultPort: 4001,
  entities: [Registrant],
  resolvers: [RegistrantResolver, ProcessingResolver],
  references: [{ typeName: "Registrant", loader: (l) => l.registrantById }],
  createLoaders,
  migrations: { sqlite, postgresql },
});
