import { randomUUID } from "node:crypto";
import { Entity, Index, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";

/**
 * One line of the append-only audit log: who changed what, when, from where. Rows are only ever
 * inserted; database triggers (installed after migrations) refuse UPDATE and DELETE.
 */
@Entity({ tableName: "audit_log" })
@Index({ properties: ["entityType", "entityId"] })
export class AuditEntry {
  [OptionalProps]?: "id" | "at";

  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Property({ type: "datetime" })
  at: Date = new Date();

  /** The token's subject, or "anonymous" / "system" for jobs. */
  @Property({ type: "string", length: 255 })
  actor!: string;

  @Property({ type: "string", length: 255 })
  actorRoles!: string;

  /** A verb such as "registrant.create" or "payment.retry". */
  @Property({ type: "string", length: 100 })
  action!: string;

  @Property({ type: "string", length: 100 })
  entityType!: string;

  @Property({ type: "string", length: 255 })
  entityId!: string;

  /** What changed: field -> new value (or { from, to }). Personal data is stored as given. */
  @Property({ type: "json", nullable: true })
  changes?: Record<string, unknown> | null;

  @Property({ type: "string", length: 100, nullable: true })
  requestId?: string | null;

  @Property({ type: "string", length: 100, nullable: true })
  ip?: string | null;
}
