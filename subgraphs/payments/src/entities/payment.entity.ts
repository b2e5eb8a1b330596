import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { MoneyType } from "@g2p/kit";

export enum PaymentStatus {
  PENDING = "PENDING",
  SUCCEEDED = "SUCCEEDED",
  FAILED = "FAILED",
  UNKNOWN = "UNKNOWN",
  CANCELLED = "CANCELLED",
}
registerEnumType(PaymentStatus, { name: "PaymentStatus" });

/** One payment instruction to one beneficiary. */
@Entity({ tableName: "payment" })
@Index({ properties: ["registrantId"] })
@Index({ properties: ["batchId"] })
@ObjectType()
export class Payment {
  [OptionalProps]?: "id" | "status" | "createdAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field(() => ID)
  @Property({ type: "uuid" })
  batchId!: string;

  @Field(() => ID)
  @Property({ type: "uuid" })
  registrantId!: string;

  @Field({ description: "Exact decimal string." })
  @Property({ type: MoneyType })
  amount!: string;

  @Field()
  @Property({ type: "string", length: 3 })
  currency!: string;

  @Field(() => PaymentStatus)
  @Enum({ items: () => PaymentStatus })
  status: PaymentStatus = PaymentStatus.PENDING;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}
