import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { MoneyType } from "@g2p/kit";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";

export enum ReimbursementStatus {
  PENDING = "PENDING",
  PAID = "PAID",
  FAILED = "FAILED",
}
registerEnumType(ReimbursementStatus, { name: "ReimbursementStatus" });

/** A voucher redeemed at a merchant: at most one per voucher (the unique key is the last guard). */
@Entity({ tableName: "redemption" })
@Index({ properties: ["merchantId", "at"] })
@Index({ properties: ["programId", "merchantId"] })
@ObjectType()
export class Redemption {
  [OptionalProps]?: "id" | "at" | "reimbursementStatus";

  @Field(() => ID) @PrimaryKey({ type: "uuid" }) id: string = randomUUID();
  @Field(() => ID) @Property({ type: "uuid" }) @Unique() voucherId!: string;
  @Field(() => ID) @Property({ type: "uuid" }) merchantId!: string;
  /** The voucher's program, kept here for per-program reporting without a join. */
  @Field(() => ID) @Property({ type: "uuid" }) programId!: string;
  @Field(() => String, { nullable: true }) @Property({ type: MoneyType, nullable: true }) amount?: string | null;
  @Field(() => String, { nullable: true }) @Property({ type: "string", length: 3, nullable: true }) currency?: string | null;
  @Field(() => String, { nullable: true, description: "The identity transaction that proved the beneficiary's presence." })
  @Property({ type: "string", length: 64, nullable: true })
  presenceTransactionId?: string | null;
  @Field(() => ReimbursementStatus) @Enum({ items: () => ReimbursementStatus }) reimbursementStatus: ReimbursementStatus = ReimbursementStatus.PENDING;
  @Field() @Property({ type: "datetime" }) at: Date = new Date();
}
