import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { MoneyType } from "@g2p/kit";

/**
 * Batch pipeline (docs/payments.md): RECEIVED → VALIDATING → AUTHORIZED | AUTHORIZATION_DENIED† →
 * PENDING_APPROVAL → APPROVED | REJECTED† → PROCESSING → RECONCILING (UNKNOWN payments left) →
 * COMPLETED† | PARTIALLY_COMPLETED† | FAILED†; any non-terminal → CANCELLED† (what was not sent).
 */
export enum BatchStatus {
  RECEIVED = "RECEIVED",
  VALIDATING = "VALIDATING",
  AUTHORIZATION_DENIED = "AUTHORIZATION_DENIED",
  PENDING_APPROVAL = "PENDING_APPROVAL",
  APPROVED = "APPROVED",
  REJECTED = "REJECTED",
  PROCESSING = "PROCESSING",
  RECONCILING = "RECONCILING",
  COMPLETED = "COMPLETED",
  PARTIALLY_COMPLETED = "PARTIALLY_COMPLETED",
  FAILED = "FAILED",
  CANCELLED = "CANCELLED",
}
registerEnumType(BatchStatus, { name: "BatchStatus" });

export const TERMINAL_BATCH = new Set<BatchStatus>([
  BatchStatus.AUTHORIZATION_DENIED,
  BatchStatus.REJECTED,
  BatchStatus.COMPLETED,
  BatchStatus.PARTIALLY_COMPLETED,
  BatchStatus.FAILED,
  BatchStatus.CANCELLED,
]);

export enum BatchSource {
  API = "API",
  CSV = "CSV",
}
registerEnumType(BatchSource, { name: "BatchSource" });

/** A set of payment instructions submitted together, and the state of its pipeline. */
@Entity({ tableName: "disbursement_batch" })
@Index({ properties: ["status"] })
@ObjectType()
@Directive('@key(fields: "id")')
export class DisbursementBatch {
  [OptionalProps]?: "id" | "status" | "createdAt" | "updatedAt" | "approvalRequired" | "source" | "progressNotified";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field({ description: "The client's correlation id: submitting the same payload again returns this batch." })
  @Property({ type: "string", length: 100 })
  @Unique()
  clientCorrelationId!: string;

  /** SHA-256 of the canonical payload: same id + other hash = IDEMPOTENCY_MISMATCH. */
  @Property({ type: "string", length: 64 })
  payloadHash!: string;

  @Field(() => BatchSource)
  @Enum({ items: () => BatchSource })
  source: BatchSource = BatchSource.API;

  @Field(() => String, { nullable: true, description: "Program whose funding account pays this batch (FUNDING:<program>); a batch without one waits in RECEIVED for startDisbursementBatch." })
  @Property({ type: "string", length: 100, nullable: true })
  programCode?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: "string", length: 200, nullable: true })
  purpose?: string | null;

  @Field()
  @Property({ type: "string", length: 3 })
  currency!: string;

  @Field({ description: "Sum of the submitted payments, exact decimal string." })
  @Property({ type: MoneyType })
  totalAmount!: string;

  @Field(() => Int)
  @Property({ type: "integer" })
  paymentCount!: number;

  @Field(() => BatchStatus)
  @Enum({ items: () => BatchStatus })
  status: BatchStatus = BatchStatus.RECEIVED;

  @Field({ description: "Whether an approver (not the submitter) must approve before dispatch." })
  @Property({ type: "boolean" })
  approvalRequired: boolean = false;

  @Field(() => String, { nullable: true })
  @Property({ type: "text", nullable: true })
  statusReason?: string | null;

  @Property({ type: "string", length: 200, nullable: true })
  submittedBy?: string | null;

  /** The submitter's URL for progress callbacks at 20/40/60/80/100 % (not exposed: it may carry a secret). */
  @Property({ type: "string", length: 500, nullable: true })
  callbackUrl?: string | null;

  /** Highest progress phase (0, 20, ..., 100) already called back. */
  @Property({ type: "integer" })
  progressNotified: number = 0;

  @Field(() => String, { nullable: true })
  @Property({ type: "string", length: 200, nullable: true })
  approvedBy?: string | null;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();

  @Field()
  @Property({ type: "datetime", onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
