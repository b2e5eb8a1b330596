/** Auth lock / unlock per auth type, with timed unlock (MOSIP resident "Secure my ID"). */
import type { EntityManager } from "@mikro-orm/core";
import { audit, badInput, notFound, type AuditActor } from "@g2p/kit";
import { mosipError } from "../domain/errors";
import { AuthLock } from "../entities/auth.entities";
import { Identity } from "../entities/identity.entity";
import { AuthType } from "../entities/partner.entity";

/** The factors a person can lock. */
export const LOCKABLE: AuthType[] = [AuthType.DEMO, AuthType.OTP, AuthType.BIO_FINGER, AuthType.BIO_IRIS, AuthType.BIO_FACE];

export interface LockState {
  authType: AuthType;
  locked: boolean;
  unlockUntil: Date | null;
}

/** Effective state at `now`: a timed unlock that has run out is locked again. */
export function isLocked(lock: Pick<AuthLock, "locked" | "unlockUntil">, now: Date): boolean {
  if (!lock.locked) return false;
  return !(lock.unlockUntil && lock.unlockUntil.getTime() > now.getTime());
}

export async function setAuthLocks(
  em: EntityManager,
  actor: AuditActor,
  now: Date,
  identityId: string,
  authTypes: AuthType[],
  action: { lock: true } | { lock: false; unlockForSeconds?: number | null },
): Promise<AuthLock[]> {
  if (!authTypes.length) throw badInput("name at least one auth type", "authTypes");
  const bad = authTypes.filter((t) => !LOCKABLE.includes(t));
  if (bad.length) throw badInput(`cannot lock ${bad.join(", ")}; lockable: ${LOCKABLE.join(", ")}`, "authTypes");
  const seconds = action.lock ? null : (action.unlockForSeconds ?? null);
  if (seconds != null && (seconds <= 0 || seconds > 30 * 86400)) throw badInput("unlockForSeconds must be between 1 and 2592000", "unlockForSeconds");
  const identity = await em.findOne(Identity, identityId);
  if (!identity) throw notFound("Identity", identityId);
  return em.transactional(async (tx) => {
    const existing = await tx.find(AuthLock, { identityId, authType: { $in: authTypes } });
    const byType = new Map(existing.map((l) => [l.authType, l]));
    const out: AuthLock[] = [];
    for (const authType of new Set(authTypes)) {
      const lock = byType.get(authType) ?? tx.create(AuthLock, { identityId, authType, locked: false });
      if (action.lock) {
        lock.locked = true;
        lock.unlockUntil = null;
      } else if (seconds != null) {
        // A temporary unlock only makes sense on a locked type; it re-locks by itself at expiry.
        if (!lock.locked) throw mosipError("IDA-MLC-009", `${authType} is not locked`);
        lock.unlockUntil = new Date(now.getTime() + seconds * 1000);
      } else {
        lock.locked = false;
        lock.unlockUntil = null;
      }
      tx.persist(lock);
      out.push(lock);
    }
    identity.hasAuthLocks = true;
    tx.persist(identity);
    audit(tx, actor, {
      action: action.lock ? "auth_lock.lock" : "auth_lock.unlock",
      entityType: "Identity",
      entityId: identityId,
      changes: { authTypes: [...new Set(authTypes)], unlockForSeconds: seconds },
    });
    return out;
  });
}

/** IDA-MLC-019 when any presented factor is locked (other factors keep working). */
export async function assertUnlocked(em: EntityManager, identity: Identity, factors: AuthType[], now: Date): Promise<void> {
  if (!identity.hasAuthLocks || factors.length === 0) return;
  const locks = await em.find(AuthLock, { identityId: identity.id, authType: { $in: factors } });
  const locked = locks.filter((l) => isLocked(l, now)).map((l) => l.authType);
  if (locked.length) throw mosipError("IDA-MLC-019", locked.join(", "));
}
