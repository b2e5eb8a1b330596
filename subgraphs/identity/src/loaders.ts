import { LoadStrategy, type EntityManager } from "@mikro-orm/core";
import DataLoader from "dataloader";
import { loaderByKey, loaderGroupedBy } from "@g2p/kit";
import { AuthLock } from "./entities/auth.entities";
import { IdentityEnrollment } from "./entities/enrollment.entities";
import { Identity } from "./entities/identity.entity";
import { RegistrantIdentity } from "./entities/registrant-identity.entity";
import { Vid } from "./entities/vid.entity";
import type { IdentityRuntime } from "./runtime";

/** registrantId -> link with its identity, in one joined query per batch. */
function linkByRegistrant(em: EntityManager) {
  return new DataLoader<string, RegistrantIdentity | null>(async (keys) => {
    const rows = await em.find(RegistrantIdentity, { registrantId: { $in: [...keys] } }, { populate: ["identity"], strategy: LoadStrategy.JOINED });
    const byKey = new Map(rows.map((r) => [r.registrantId, r]));
    return keys.map((k) => byKey.get(k) ?? null);
  });
}

export function createLoaders(em: EntityManager, rt: IdentityRuntime) {
  return {
    identityById: loaderByKey(em, Identity),
    linkByRegistrant: linkByRegistrant(em),
    vidsByIdentity: loaderGroupedBy(em, Vid, "identityId", { createdAt: "asc", id: "asc" }),
    locksByIdentity: loaderGroupedBy(em, AuthLock, "identityId"),
    enrollmentById: loaderByKey(em, IdentityEnrollment),
    /** Not a loader: the subgraph's long-lived runtime (see runtime.ts). */
    rt,
  };
}
export type IdentityLoaders = ReturnType<typeof createLoaders>;
