import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { registerEnumType } from "type-graphql";

/**
 * Beneficiary notification outbox (docs/payments.md, "Notifications"):
 * PENDING ─claim─> SENDING ─> SENT† | PENDING (retry with backoff) | FAILED† (after N attempts);
 * SKIPPED† when the beneficiary cannot be reached by SMS (no mobile-money MSISDN). A SENDING row whose
 * lease expired (crash mid-send) goes back to PENDING; the gateway de-duplicates on `messageId` = row id.
 */
export enum NotificationStatus {
  PENDING = "PENDING",
  SENDING = "SENDING",
  SENT = "SENT",
  FAILED = "FAILED",
  SKIPPED = "SKIPPED",
}
registerEnumType(NotificationStatus, { name: "PaymentNotificationStatus" });

@Entity({ tableName: "payment_notification" })
@Index({ properties: ["status", "nextAttemptAt"] })
@Index({ properties: ["batchId", "status"] })
export class PaymentNotification {
  [OptionalProps]?: "id" | "status" | "attempts" | "createdAt" | "updatedAt" | "nextAttemptAt" | "channel";

  /** Also the SMS gateway's `messageId` (its idempotency key). */
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  /** `<paymentId>:<status>:<attempts>`: one notification per final outcome of a send attempt. */
  @Property({ type: "string", length: 200 })
  @Unique()
  dedupeKey!: string;

  @Property({ type: "uuid" })
  paymentId!: string;

  @Property({ type: "uuid" })
  batchId!: string;

  @Property({ type: "string", length: 20 })
  channel: string = "SMS";

  /** The MSISDN; wiped once the row is final (personal data is kept no longer than needed). */
  @Property({ type: "string", length: 50, nullable: true })
  recipient?: string | null;

  /** Amount, currency and reference only: no name, no phone, no id number. */
  @Property({ type: "text" })
  text!: string;

  @Enum({ items: () => NotificationStatus })
  status: NotificationStatus = NotificationStatus.PENDING;

  @Property({ type: "integer" })
  attempts: number = 0;

  @Property({ type: "datetime" })
  nextAttemptAt: Date = new Date();

  @Property({ type: "text", nullable: true })
  lastError?: string | null;

  @Property({ type: "datetime", nullable: true })
  sentAt?: Date | null;

  @Property({ type: "datetime" })
  createdAt: Date = new Date();

  @Property({ type: "datetime", onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
