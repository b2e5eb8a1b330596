import { randomUUID } from "node:crypto";
import { Entity, Enum, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";

export enum ProviderKind {
  BANK = "BANK",
  BRANCH = "BRANCH",
  WALLET = "WALLET",
}
registerEnumType(ProviderKind, { name: "PaymentProviderKind" });

export enum ConnectorKind {
  GSMA = "GSMA",
  MOJALOOP = "MOJALOOP",
  ISO20022 = "ISO20022",
  NONE = "NONE",
}
registerEnumType(ConnectorKind, { name: "ConnectorKind" });

/** Directory of banks, branches and wallet providers, and how to reach them. */
@Entity({ tableName: "payment_provider" })
@ObjectType()
export class PaymentProvider {
  [OptionalProps]?: "id" | "active" | "createdAt" | "connector";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field({ description: "The `@provider` part of a financial address." })
  @Property({ type: "string", length: 100 })
  @Unique()
  code!: string;

  @Field()
  @Property({ type: "string", length: 200 })
  name!: string;

  @Field(() => ProviderKind)
  @Enum({ items: () => ProviderKind })
  kind!: ProviderKind;

  @Field(() => String, { nullable: true, description: "A branch's bank." })
  @Property({ type: "string", length: 100, nullable: true })
  parentCode?: string | null;

  @Field(() => ConnectorKind)
  @Enum({ items: () => ConnectorKind })
  connector: ConnectorKind = ConnectorKind.NONE;

  /** Base URL of the provider's API (not exposed: configuration, not data). */
  @Property({ type: "string", length: 500, nullable: true })
  endpointUrl?: string | null;

  @Field()
  @Property({ type: "boolean" })
  active: boolean = true;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}

export enum LinkStatus {
  ACTIVE = "ACTIVE",
  INACTIVE = "INACTIVE",
}
registerEnumType(LinkStatus, { name: "FinancialAddressStatus" });

/** ID → financial address (G2P Connect mapper): one link per beneficiary id. */
@Entity({ tableName: "financial_address_link" })
@ObjectType("FinancialAddressLink")
export class FinancialAddressLink {
  [OptionalProps]?: "id" | "status" | "createdAt" | "updatedAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field({ description: "The beneficiary id (a registrant id, or a PersonId such as vid:123@nid)." })
  @Property({ type: "string", length: 200 })
  @Unique()
  beneficiaryId!: string;

  @Field({ description: "type:id@provider" })
  @Property({ type: "string", length: 300 })
  financialAddress!: string;

  @Field()
  @Property({ type: "string", length: 100 })
  providerCode!: string;

  @Field(() => LinkStatus)
  @Enum({ items: () => LinkStatus })
  status: LinkStatus = LinkStatus.ACTIVE;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();

  @Field()
  @Property({ type: "datetime", onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
