import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { MoneyType } from "@g2p/kit";
import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";

export enum SettlementStatus {
  /** Redemptions claimed; not yet accepted by the payments block. */
  CREATED = "CREATED",
  /** A disbursement batch exists at the payments block; payouts are running. */
  SUBMITTED = "SUBMITTED",
  COMPLETED = "COMPLETED",
  PARTIALLY_PAID = "PARTIALLY_PAID",
  /** Every payout failed, or the payments block refused the batch: the redemptions' vouchers went back to ACTIVE. */
  FAILED = "FAILED",
}
registerEnumType(SettlementStatus, { name: "VoucherSettlementStatus", description: "COMPLETED, PARTIALLY_PAID and FAILED are final." });

export const FINAL_SETTLEMENT: readonly SettlementStatus[] = [SettlementStatus.COMPLETED, SettlementStatus.PARTIALLY_PAID, SettlementStatus.FAILED];

/**
 * One reimbursement of one merchant, for one program and currency: a disbursement batch at the
 * payments block (one payment per redemption, to the merchant's financial address), submitted with
 * the client correlation id `voucher-settlement:<id>` so a resubmission returns the same batch.
 */
@Entity({ tableName: "voucher_settlement" })
@Index({ properties: ["status"] })
@Index({ properties: ["merchantId", "createdAt"] })
@ObjectType("VoucherSettlement")
export class VoucherSettlement {
  [OptionalProps]?: "id" | "status" | "createdAt" | "updatedAt";

  @Field(() => ID) @PrimaryKey({ type: "uuid" }) id: string = randomUUID();
  @Field(() => ID) @Property({ type: "uuid" }) merchantId!: string;
  @Field(() => ID) @Property({ type: "uuid" }) programId!: string;
  @Field() @Property({ type: "string", length: 3 }) currency!: string;
  @Field() @Property({ type: "string", length: 100 }) @Unique() clientCorrelationId!: string;
  @Field(() => Int) @Property({ type: "integer" }) redemptionCount!: number;
  @Field({ description: "Exact decimal string." }) @Property({ type: MoneyType }) totalAmount!: string;
  /** The merchant's financial address when the settlement was made (the payout goes there). */
  @Field() @Property({ type: "string", length: 200 }) financialAddress!: string;
  @Field(() => SettlementStatus) @Enum({ items: () => SettlementStatus }) status: SettlementStatus = SettlementStatus.CREATED;
  @Field(() => String, { nullable: true }) @Property({ type: "string", length: 500, nullable: true }) statusReason?: string | null;
  @Field(() => ID, { nullable: true, description: "The payments block's DisbursementBatch." })
  @Property({ type: "uuid", nullable: true })
  paymentsBatchId?: string | null;
  @Field(() => ID, { nullable: true, description: "The job that submits and tracks it." }) @Property({ type: "uuid", nullable: true }) jobId?: string | null;
  @Field(() => Int, { nullable: true }) @Property({ type: "integer", nullable: true }) paidCount?: number | null;
  @Field(() => Int, { nullable: true }) @Property({ type: "integer", nullable: true }) failedCount?: number | null;
  @Field() @Property({ type: "datetime" }) createdAt: Date = new Date();
  @Field() @Property({ type: "datetime", onUpdate: () => new Date() }) updatedAt: Date = new Date();
}
