import type { EntityManager } from "@mikro-orm/core";
import { loaderByKey } from "@g2p/kit";
import { Identity } from "./entities/identity.entity";

export function createLoaders(em: EntityManager) {
  return {
    identityById: loaderByKey(em, Identity),
    identityByRegistrant: loaderByKey(em, Identity, "registrantId"),
  };
}
export type IdentityLoaders = ReturnType<typeof createLoaders>;
