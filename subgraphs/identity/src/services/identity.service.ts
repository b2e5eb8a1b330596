import type { EntityManager } from "@mikro-orm/core";
import { audit, userError, type AuditActor } from "@g2p/kit";
import { Identity } from "../entities/identity.entity";

/** Creates an identity, optionally linked to a registrant (one identity per registrant). */
export async function createIdentity(em: EntityManager, actor: AuditActor, registrantId: string | null): Promise<Identity> {
  if (registrantId && (await em.count(Identity, { registrantId })) > 0) {
    throw userError("CONFLICT", `Registrant ${registrantId} already has an identity`, { field: "registrantId" });
  }
  return em.transactional(async (tx) => {
    const identity = tx.create(Identity, { registrantId });
    audit(tx, actor, { action: "identity.create", entityType: "Identity", entityId: identity.id, changes: { registrantId } });
    return identity;
  });
}
