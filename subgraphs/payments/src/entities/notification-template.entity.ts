import { randomUUID } from "node:crypto";
import { Entity, Enum, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";

/** How a beneficiary is told: one outbox row per channel the payment can reach. */
export enum NotificationChannel {
  SMS = "SMS",
  EMAIL = "EMAIL",
}
registerEnumType(NotificationChannel, { name: "PaymentNotificationChannel" });

/** The payment outcome a notification tells of. */
export enum NotificationEvent {
  COMPLETED = "COMPLETED",
  FAILED = "FAILED",
}
registerEnumType(NotificationEvent, { name: "PaymentNotificationEvent" });

/**
 * A program's wording of a beneficiary notification in one language (docs/payments.md, "Beneficiary
 * notifications"). Placeholders `{amount}`, `{currency}`, `{reference}`, `{programCode}` are filled when
 * the outbox row is written; a notification with no template of its program falls back to the default
 * language, then to the built-in English texts.
 */
@Entity({ tableName: "payment_notification_template" })
@Unique({ properties: ["programCode", "language", "event", "channel"] })
@ObjectType("PaymentNotificationTemplate")
export class NotificationTemplate {
  [OptionalProps]?: "id" | "createdAt" | "updatedAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field()
  @Property({ type: "string", length: 100 })
  programCode!: string;

  @Field({ description: "BCP 47 tag, stored in lower case (en, fr, sw, fr-ca)." })
  @Property({ type: "string", length: 35 })
  language!: string;

  @Field(() => NotificationEvent)
  @Enum({ items: () => NotificationEvent })
  event!: NotificationEvent;

  @Field(() => NotificationChannel)
  @Enum({ items: () => NotificationChannel })
  channel!: NotificationChannel;

  @Field(() => String, { nullable: true, description: "E-mail subject (EMAIL only)." })
  @Property({ type: "string", length: 200, nullable: true })
  subject?: string | null;

  @Field({ description: "Text with placeholders {amount}, {currency}, {reference}, {programCode}." })
  @Property({ type: "text" })
  body!: string;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();

  @Field()
  @Property({ type: "datetime", onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
