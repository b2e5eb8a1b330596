import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { registerEnumType } from "type-graphql";
import { NotificationChannel } from "./notification-template.entity";

/**
 * Beneficiary notification outbox (docs/payments.md, "Notifications"):
 * PENDING ─claim─> SENDING ─> SENT† | PENDING (retry with backoff) | FAILED† (after N attempts);
 * SKIPPED† when the beneficiary cannot be reached by SMS (no mobile-money MSISDN). One row per channel
 * (SMS always; EMAIL when the payment carries an e-mail address). A SENDING row whose
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

  /** Also the gateway's `messageId` (its idempotency key). */
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  /** `<paymentId>:<status>:<attempts>:<channel>`: one notification per channel and final outcome of a send attempt. */
  @Property({ type: "string", length: 200 })
  @Unique()
  dedupeKey!: string;

  @Property({ type: "uuid" })
  paymentId!: string;

  @Property({ type: "uuid" })
  batchId!: string;

  // A plain string column (as before e-mail existed): adding a channel needs no schema change.
  @Property({ type: "string", length: 20 })
  channel: NotificationChannel = NotificationChannel.SMS;

  /** The MSISDN or e-mail address; wiped once the row is final (personal data is kept no longer than needed). */
  @Property({ type: "string", length: 320, nullable: true })
  recipient?: string | null;

  /** E-mail subject (EMAIL rows only). */
  @Property({ type: "string", length: 200, nullable: true })
  subject?: string | null;

  /** Rendered when the row is written (template of the program and language, else built-in): amount, currency and reference only. */
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
