import { randomUUID } from "node:crypto";
import { Entity, Enum, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";

export enum AuthTokenType {
  RANDOM = "RANDOM",
  PARTNER = "PARTNER",
  POLICY = "POLICY",
}
registerEnumType(AuthTokenType, { name: "AuthTokenType", description: "Which token a partner receives for a person (MOSIP authTokenType)." });

export enum AuthType {
  DEMO = "DEMO",
  OTP = "OTP",
  BIO_FINGER = "BIO_FINGER",
  BIO_IRIS = "BIO_IRIS",
  BIO_FACE = "BIO_FACE",
  EKYC = "EKYC",
  KYC_AUTH = "KYC_AUTH",
  KYC_EXCHANGE = "KYC_EXCHANGE",
}
registerEnumType(AuthType, { name: "AuthType" });

export enum ActiveStatus {
  ACTIVE = "ACTIVE",
  INACTIVE = "INACTIVE",
  BLOCKED = "BLOCKED",
}
registerEnumType(ActiveStatus, { name: "AuthPartnerStatus" });

@ObjectType("PolicyAuthType")
export class AllowedAuthType {
  @Field(() => AuthType) authType!: AuthType;
  @Field({ description: "A mandatory factor that is absent fails with IDA-MPA-015." }) mandatory!: boolean;
}

/** An auth policy: allowed auth types, allowed KYC attributes, token type. */
@Entity({ tableName: "auth_policy" })
@ObjectType()
export class AuthPolicy {
  [OptionalProps]?: "id" | "status" | "createdAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field()
  @Property({ type: "string", length: 200 })
  name!: string;

  @Field(() => ActiveStatus)
  @Enum({ items: () => ActiveStatus })
  status: ActiveStatus = ActiveStatus.ACTIVE;

  @Field(() => AuthTokenType)
  @Enum({ items: () => AuthTokenType })
  authTokenType!: AuthTokenType;

  @Field(() => [AllowedAuthType])
  @Property({ type: "json" })
  allowedAuthTypes!: AllowedAuthType[];

  @Field(() => [String], { description: "Selective disclosure: the KYC attributes this policy may receive." })
  @Property({ type: "json" })
  allowedKycAttributes!: string[];

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}

/**
 * An authentication partner (relying party). Its id is the `partner_id` claim of its tokens. API key
 * and MISP licence key are stored as peppered hashes and shown once, at creation.
 */
@Entity({ tableName: "auth_partner" })
@ObjectType()
export class AuthPartner {
  [OptionalProps]?: "status" | "createdAt" | "apiKeyStatus" | "licenseKeyStatus" | "licenseKeyExpiresAt";

  @Field(() => ID, { description: "The partner_id claim of this partner's tokens." })
  @PrimaryKey({ type: "string", length: 100 })
  id!: string;

  @Field()
  @Property({ type: "string", length: 200 })
  name!: string;

  @Field(() => ActiveStatus)
  @Enum({ items: () => ActiveStatus })
  status: ActiveStatus = ActiveStatus.ACTIVE;

  @Field(() => ID)
  @Property({ type: "uuid" })
  policyId!: string;

  @Property({ type: "string", length: 64 })
  apiKeyHash!: string;

  @Field(() => ActiveStatus)
  @Enum({ items: () => ActiveStatus })
  apiKeyStatus: ActiveStatus = ActiveStatus.ACTIVE;

  @Property({ type: "string", length: 64 })
  licenseKeyHash!: string;

  @Field(() => ActiveStatus)
  @Enum({ items: () => ActiveStatus })
  licenseKeyStatus: ActiveStatus = ActiveStatus.ACTIVE;

  @Field(() => Date, { nullable: true })
  @Property({ type: "datetime", nullable: true })
  licenseKeyExpiresAt?: Date | null;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}
