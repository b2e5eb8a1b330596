import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Authorized, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { MoneyType } from "@g2p/kit";

/**
 * Payment instruction (docs/payments.md):
 * PENDING → INVALID† | PAYEE_NOT_FOUND† | READY (account resolved, funds held) → SENT → COMPLETED† | FAILED† | UNKNOWN;
 * UNKNOWN → COMPLETED | FAILED (status query or operator); FAILED → READY (retry); PENDING/READY → CANCELLED†.
 * READY is written only for batches waiting for approval and for retries: an authorized batch that
 * needs no approval is sent from PENDING (one write per payment fewer).
 */
export enum PaymentStatus {
  PENDING = "PENDING",
  INVALID = "INVALID",
  PAYEE_NOT_FOUND = "PAYEE_NOT_FOUND",
  READY = "READY",
  SENT = "SENT",
  COMPLETED = "COMPLETED",
  FAILED = "FAILED",
  UNKNOWN = "UNKNOWN",
  CANCELLED = "CANCELLED",
}
registerEnumType(PaymentStatus, { name: "PaymentStatus" });

/** What the provider's statement said about a payment (reconciliation). */
export enum ReconciliationStatus {
  MATCHED = "MATCHED",
  AMOUNT_MISMATCH = "AMOUNT_MISMATCH",
  MISSING = "MISSING",
  REVERSED = "REVERSED",
}
registerEnumType(ReconciliationStatus, { name: "ReconciliationStatus" });

/** One payment instruction to one beneficiary. */
@Entity({ tableName: "payment" })
@Index({ properties: ["registrantId"] })
@Index({ properties: ["batchId", "status"] })
@Unique({ properties: ["batchId", "seq"] })
@Unique({ properties: ["batchId", "instructionId"] })
@ObjectType()
export class Payment {
  [OptionalProps]?: "id" | "status" | "createdAt" | "updatedAt" | "attempts";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field(() => ID)
  @Property({ type: "uuid" })
  batchId!: string;

  /** Position in the batch (0-based): jobs chunk by ranges of it. */
  @Field(() => Int)
  @Property({ type: "integer" })
  seq!: number;

  @Field({ description: "The submitter's id for this instruction (CSV `request_id`), unique in the batch." })
  @Property({ type: "string", length: 100 })
  instructionId!: string;

  @Field(() => ID, { nullable: true })
  @Property({ type: "uuid", nullable: true })
  registrantId?: string | null;

  @Field(() => String, { nullable: true, description: "Paid at most once across all batches." })
  @Property({ type: "string", length: 100, nullable: true })
  @Unique()
  entitlementId?: string | null;

  @Field({ description: "Whom the mapper resolves: a registrant id or the CSV payee identifier." })
  @Property({ type: "string", length: 200 })
  beneficiaryId!: string;

  @Field(() => String, { nullable: true, description: "type:id@provider, given or resolved by the account mapper." })
  @Property({ type: "string", length: 300, nullable: true })
  financialAddress?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: "string", length: 100, nullable: true })
  providerCode?: string | null;

  @Field(() => String, { nullable: true, description: "BCP 47 language of the beneficiary's notifications (lower case); the batch's language when not given." })
  @Property({ type: "string", length: 35, nullable: true })
  language?: string | null;

  /** Personal data: shown only with personal_data:read (like identifiers in the registry). */
  @Authorized("personal_data:read")
  @Field(() => String, { nullable: true, description: "E-mail the beneficiary is notified at. Personal data: needs personal_data:read." })
  @Property({ type: "string", length: 254, nullable: true })
  email?: string | null;

  @Field({ description: "Exact decimal string." })
  @Property({ type: MoneyType })
  amount!: string;

  @Field()
  @Property({ type: "string", length: 3 })
  currency!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: "string", length: 200, nullable: true })
  note?: string | null;

  @Field(() => PaymentStatus)
  @Enum({ items: () => PaymentStatus })
  status: PaymentStatus = PaymentStatus.PENDING;

  @Field(() => String, { nullable: true, description: "Why it failed, was refused or is unknown." })
  @Property({ type: "text", nullable: true })
  statusReason?: string | null;

  @Field(() => String, { nullable: true, description: "The provider's transaction reference." })
  @Property({ type: "string", length: 200, nullable: true })
  providerReference?: string | null;

  @Field(() => ReconciliationStatus, { nullable: true, description: "Set by the last statement reconciled for this batch." })
  @Enum({ items: () => ReconciliationStatus, nullable: true })
  reconciliation?: ReconciliationStatus | null;

  @Field(() => Int, { description: "Send attempts to the provider (same idempotency key every time)." })
  @Property({ type: "integer" })
  attempts: number = 0;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();

  @Field()
  @Property({ type: "datetime", onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
