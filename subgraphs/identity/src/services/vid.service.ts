/** VIDs under MOSIP's VID policy: create, revoke, regenerate; transaction counting on use. */
import type { EntityManager } from "@mikro-orm/core";
import { audit, notFound, type AuditActor } from "@g2p/kit";
import { mosipError } from "../domain/errors";
import { generateVid } from "../domain/ids";
import { Identity, IdentityStatus } from "../entities/identity.entity";
import { Vid, VidStatus, type VidType } from "../entities/vid.entity";
import type { IdentityRuntime } from "../runtime";

export interface VidPolicy {
  validForMinutes: number | null;
  transactionsAllowed: number | null;
  instancesAllowed: number;
  /** What happens to the old VID when a new one is made over the instance limit. */
  autoRestoreAllowed: boolean;
}

/** mosip-config's mosip-vid-policy.json (one-time use: 1 transaction, the older schema's value). */
export const VID_POLICY: Record<VidType, VidPolicy> = {
  PERPETUAL: { validForMinutes: null, transactionsAllowed: null, instancesAllowed: 1, autoRestoreAllowed: true },
  TEMPORARY: { validForMinutes: 30, transactionsAllowed: 2, instancesAllowed: 5, autoRestoreAllowed: false },
  ONE_TIME_USE: { validForMinutes: null, transactionsAllowed: 1, instancesAllowed: 5, autoRestoreAllowed: false },
};

function buildVid(em: EntityManager, rt: IdentityRuntime, identityId: string, type: VidType): { vid: Vid; raw: string } {
  const raw = generateVid();
  const policy = VID_POLICY[type];
  const vid = em.create(Vid, {
    identityId,
    vidHash: rt.crypto.hash("VID", raw),
    vidSealed: rt.crypto.seal(raw),
    type,
    expiresAt: policy.validForMinutes ? new Date(rt.now().getTime() + policy.validForMinutes * 60_000) : null,
    transactionsAllowed: policy.transactionsAllowed,
  });
  return { vid, raw };
}

/**
 * Creates a VID. Over `instancesAllowed`: a perpetual VID (autoRestoreAllowed) revokes the old one
 * and is issued; other types are refused with IDR-VID-003.
 */
export async function createVid(em: EntityManager, actor: AuditActor, rt: IdentityRuntime, identityId: string, type: VidType): Promise<Vid> {
  const identity = await em.findOne(Identity, identityId);
  if (!identity) throw notFound("Identity", identityId);
  if (identity.status !== IdentityStatus.ACTIVATED) throw mosipError("IDR-VID-004");
  return em.transactional(async (tx) => {
    const now = rt.now();
    // Expire what has run out before counting instances.
    await tx.nativeUpdate(Vid, { identityId, status: VidStatus.ACTIVE, expiresAt: { $lte: now } }, { status: VidStatus.EXPIRED });
    const active = await tx.find(Vid, { identityId, type, status: VidStatus.ACTIVE }, { orderBy: { createdAt: "asc" } });
    const policy = VID_POLICY[type];
    const revoked: string[] = [];
    if (active.length >= policy.instancesAllowed) {
      if (!policy.autoRestoreAllowed) throw mosipError("IDR-VID-003");
      for (const old of active.slice(0, active.length - policy.instancesAllowed + 1)) {
        old.status = VidStatus.REVOKED;
        revoked.push(old.id);
      }
    }
    const { vid } = buildVid(tx, rt, identityId, type);
    for (const old of active.filter((a) => revoked.includes(a.id))) old.replacedById = vid.id;
    audit(tx, actor, { action: "vid.create", entityType: "Identity", entityId: identityId, changes: { vidId: vid.id, type, revoked } });
    return vid;
  });
}

export async function revokeVid(em: EntityManager, actor: AuditActor, vidId: string): Promise<Vid> {
  const vid = await em.findOne(Vid, vidId);
  if (!vid) throw notFound("Vid", vidId);
  if (vid.status !== VidStatus.ACTIVE) throw mosipError("IDR-VID-001", `VID is ${vid.status}`);
  await em.transactional(async (tx) => {
    vid.status = VidStatus.REVOKED;
    tx.persist(vid);
    audit(tx, actor, { action: "vid.revoke", entityType: "Identity", entityId: vid.identityId, changes: { vidId } });
  });
  return vid;
}

/** A new VID of the same type replacing the old one (which is revoked). */
export async function regenerateVid(em: EntityManager, actor: AuditActor, rt: IdentityRuntime, vidId: string): Promise<Vid> {
  const old = await em.findOne(Vid, vidId);
  if (!old) throw notFound("Vid", vidId);
  if (old.status !== VidStatus.ACTIVE && old.status !== VidStatus.EXPIRED && old.status !== VidStatus.USED) {
    throw mosipError("IDR-VID-001", `VID is ${old.status}`);
  }
  const identity = await em.findOneOrFail(Identity, old.identityId);
  if (identity.status !== IdentityStatus.ACTIVATED) throw mosipError("IDR-VID-004");
  return em.transactional(async (tx) => {
    const { vid } = buildVid(tx, rt, old.identityId, old.type);
    if (old.status === VidStatus.ACTIVE) old.status = VidStatus.REVOKED;
    old.replacedById = vid.id;
    tx.persist(old);
    audit(tx, actor, { action: "vid.regenerate", entityType: "Identity", entityId: old.identityId, changes: { from: old.id, to: vid.id } });
    return vid;
  });
}

/**
 * Counts one successful authentication against a VID; a VID at its limit becomes USED. The update is
 * conditional on the count read, so two concurrent uses of a one-time VID cannot both succeed.
 */
export async function countVidUse(em: EntityManager, vid: Vid): Promise<boolean> {
  if (vid.transactionsAllowed == null) return true;
  const used = vid.transactionsUsed + 1;
  const changed = await em.nativeUpdate(
    Vid,
    { id: vid.id, status: VidStatus.ACTIVE, transactionsUsed: vid.transactionsUsed },
    { transactionsUsed: used, status: used >= vid.transactionsAllowed ? VidStatus.USED : VidStatus.ACTIVE },
  );
  return changed === 1;
}
