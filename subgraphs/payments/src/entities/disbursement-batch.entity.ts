import { randomUUID } from "node:crypto";
import { Entity, Enum, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { MoneyType } from "@g2p/kit";

export enum BatchStatus {
  RECEIVED = "RECEIVED",
  COMPLETED = "COMPLETED",
  PARTIALLY_COMPLETED = "PARTIALLY_COMPLETED",
  FAILED = "FAILED",
  CANCELLED = "CANCELLED",
}
registerEnumType(BatchStatus, { name: "BatchStatus" });

/** A set of payment instructions submitted together (the pipeline comes with the payments issue). */
@Entity({ tableName: "disbursement_batch" })
@ObjectType()
@Directive('@key(fields: "id")')
export class DisbursementBatch {
  [OptionalProps]?: "id" | "status" | "createdAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field({ description: "The client's correlation id: submitting it again returns this batch." })
  @Property({ type: "string", length: 100 })
  @Unique()
  clientCorrelationId!: string;

  @Field()
  @Property({ type: "string", length: 3 })
  currency!: string;

  @Field({ description: "Sum of the payments, exact decimal string." })
  @Property({ type: MoneyType })
  totalAmount!: string;

  @Field(() => Int)
  @Property({ type: "integer" })
  paymentCount!: number;

  @Field(() => BatchStatus)
  @Enum({ items: () => BatchStatus })
  status: BatchStatus = BatchStatus.RECEIVED;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}
