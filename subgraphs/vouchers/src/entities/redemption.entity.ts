import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { MoneyType } from "@g2p/kit";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";

export enum ReimbursementStatus {
  /** Waiting for a settlement. */
  PENDING = "PENDING",
  /** In a settlement submitted (or being submitted) to the payments block. */
  SUBMITTED = "SUBMITTED",
  PAID = "PAID",
  /** The payout failed: the voucher went back to ACTIVE (see payoutFailureReason). */
  FAILED = "FAILED",
}
registerEnumType(ReimbursementStatus, { name: "ReimbursementStatus" });

/**
 * A voucher redeemed at a merchant. At most one *standing* redemption per voucher: `activeVoucherId`
 * (unique) is the voucher's id while the redemption stands, and null once its payout failed and the
 * voucher went back to ACTIVE — the row stays as history, and the voucher may be redeemed again.
 */
@Entity({ tableName: "redemption" })
@Index({ properties: ["merchantId", "at"] })
@Index({ properties: ["programId", "merchantId"] })
@Index({ properties: ["voucherId"] })
@Index({ properties: ["settlementId"] })
@Index({ properties: ["merchantId", "reimbursementStatus"] })
@ObjectType()
export class Redemption {
  [OptionalProps]?: "id" | "at" | "reimbursementStatus" | "activeVoucherId";

  @Field(() => ID) @PrimaryKey({ type: "uuid" }) id: string = randomUUID();
  @Field(() => ID) @Property({ type: "uuid" }) voucherId!: string;
  /** The last guard against two standing redemptions of one voucher (null = reversed). */
  @Property({ type: "uuid", nullable: true }) @Unique() activeVoucherId?: string | null;
  @Field(() => ID) @Property({ type: "uuid" }) merchantId!: string;
  /** The voucher's program, kept here for per-program reporting without a join. */
  @Field(() => ID) @Property({ type: "uuid" }) programId!: string;
  @Field(() => String, { nullable: true }) @Property({ type: MoneyType, nullable: true }) amount?: string | null;
  @Field(() => String, { nullable: true }) @Property({ type: "string", length: 3, nullable: true }) currency?: string | null;
  @Field(() => String, { nullable: true, description: "The identity transaction that proved the beneficiary's presence." })
  @Property({ type: "string", length: 64, nullable: true })
  presenceTransactionId?: string | null;
  @Field(() => ReimbursementStatus) @Enum({ items: () => ReimbursementStatus }) reimbursementStatus: ReimbursementStatus = ReimbursementStatus.PENDING;
  @Field(() => ID, { nullable: true, description: "The settlement that pays this redemption to the merchant." })
  @Property({ type: "uuid", nullable: true })
  settlementId?: string | null;
  @Field(() => String, { nullable: true, description: "Why the payout failed (the payment's status reason)." })
  @Property({ type: "string", length: 500, nullable: true })
  payoutFailureReason?: string | null;
  @Field() @Property({ type: "datetime" }) at: Date = new Date();
}
