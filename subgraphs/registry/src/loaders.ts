import type { EntityManager } from "@mikro-orm/core";
import { loaderByKey } from "@g2p/kit";
import { Registrant } from "./entities/registrant.entity";

export function createLoaders(em: EntityManager) {
  return { registrantById: loaderByKey(em, Registrant) };
}
export type RegistryLoaders = ReturnType<typeof createLoaders>;
