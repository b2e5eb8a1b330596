import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";
import { Authorized, Field, ID, ObjectType, registerEnumType } from "type-graphql";

export enum FinancialAddressKind {
  BANK_ACCOUNT = "BANK_ACCOUNT",
  MOBILE_MONEY = "MOBILE_MONEY",
  WALLET = "WALLET",
}
registerEnumType(FinancialAddressKind, { name: "FinancialAddressKind" });

/** Where a registrant can be paid: an IBAN (checked), a mobile-money number (E.164) or a wallet id. */
@Entity({ tableName: "financial_address" })
@Index({ properties: ["registrantId"] })
@ObjectType({ description: "Bank account, mobile-money account or wallet. Details need personal_data:read." })
export class FinancialAddress {
  [OptionalProps]?: "id" | "createdAt" | "primary";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field(() => ID)
  @Property({ type: "uuid" })
  registrantId!: string;

  @Field(() => FinancialAddressKind)
  @Enum({ items: () => FinancialAddressKind })
  kind!: FinancialAddressKind;

  @Authorized("personal_data:read")
  @Field(() => String, { nullable: true, description: "BANK_ACCOUNT: IBAN (mod-97 checked)." })
  @Property({ type: "string", length: 40, nullable: true })
  iban?: string | null;

  @Authorized("personal_data:read")
  @Field(() => String, { nullable: true, description: "MOBILE_MONEY: E.164 number." })
  @Property({ type: "string", length: 20, nullable: true })
  msisdn?: string | null;

  @Authorized("personal_data:read")
  @Field(() => String, { nullable: true, description: "WALLET: the wallet's id at its provider." })
  @Property({ type: "string", length: 120, nullable: true })
  walletId?: string | null;

  @Field(() => String, { nullable: true, description: "Bank BIC, mobile-money operator or wallet provider." })
  @Property({ type: "string", length: 120, nullable: true })
  provider?: string | null;

  @Field()
  @Property({ type: "boolean", default: false })
  primary: boolean = false;

  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}
