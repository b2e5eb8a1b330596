import type { EntityManager } from "@mikro-orm/core";
import type { Viewer } from "../auth/viewer";
import { AuditEntry } from "./audit-entry.entity";

export { AuditEntry };

export interface AuditActor {
  viewer: Viewer;
  requestId?: string | null;
  ip?: string | null;
}

export interface AuditEvent {
  action: string;
  entityType: string;
  entityId: string;
  changes?: Record<string, unknown> | null;
}

/**
 * Adds an audit line to the unit of work of `em`, so it commits (or rolls back) together with the
 * change it describes: there is never a change without its audit line, nor the reverse.
 */
export function audit(em: EntityManager, actor: AuditActor, event: AuditEvent): AuditEntry {
  const entry = em.create(AuditEntry, auditFields(actor, event));
  em.persist(entry);
  return entry;
}

/**
 * What an audit line records of the actor and the event — the one definition, used by `audit()` and
 * by bulk paths that insert audit rows with multi-row INSERTs (they add `id` and `at` themselves).
 */
export function auditFields(actor: AuditActor, event: AuditEvent) {
  return {
    actor: actor.viewer.sub ?? (actor.viewer.authenticated ? "unknown" : "anonymous"),
    actorRoles: actor.viewer.roles.join(","),
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    changes: event.changes ?? null,
    requestId: actor.requestId ?? null,
    ip: actor.ip ?? null,
  };
}

/** The audit trail of one record, oldest first. */
export function auditTrail(em: EntityManager, entityType: string, entityId: string): Promise<AuditEntry[]> {
  return em.find(AuditEntry, { entityType, entityId }, { orderBy: { at: "asc", id: "asc" } });
}
