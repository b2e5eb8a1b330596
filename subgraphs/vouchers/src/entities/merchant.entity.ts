import { randomUUID } from "node:crypto";
import { Entity, Enum, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";

export enum MerchantStatus {
  PENDING = "PENDING",
  APPROVED = "APPROVED",
  SUSPENDED = "SUSPENDED",
}
registerEnumType(MerchantStatus, { name: "MerchantStatus" });

/**
 * A merchant that redeems vouchers. A merchant's token has the `merchant` role and its `partner_id`
 * claim is the merchant's `code`; that code is also its auth-partner id at the identity block.
 */
@Entity({ tableName: "merchant" })
@ObjectType()
@Directive('@key(fields: "id")')
export class Merchant {
  [OptionalProps]?: "id" | "status" | "createdAt" | "failedSecretAttempts";

  @Field(() => ID) @PrimaryKey({ type: "uuid" }) id: string = randomUUID();
  @Field({ description: "Partner id in tokens and at the identity block." }) @Property({ type: "string", length: 64 }) @Unique() code!: string;
  @Field() @Property({ type: "string", length: 200 }) name!: string;
  @Field(() => String, { nullable: true }) @Property({ type: "string", length: 20, nullable: true }) groupCode?: string | null;
  @Field({ description: "Where reimbursements go, G2P Connect form `type:id@provider`." })
  @Property({ type: "string", length: 200 })
  financialAddress!: string;
  @Field(() => MerchantStatus) @Enum({ items: () => MerchantStatus }) status: MerchantStatus = MerchantStatus.PENDING;
  @Property({ type: "integer" }) failedSecretAttempts = 0;
  @Field(() => Date, { nullable: true, description: "Locked out after too many wrong secrets, until this time." })
  @Property({ type: "datetime", nullable: true })
  lockedUntil?: Date | null;
  @Field() @Property({ type: "datetime" }) createdAt: Date = new Date();
}
