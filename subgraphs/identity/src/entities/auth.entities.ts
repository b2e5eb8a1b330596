import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";

export enum RequestType {
  OTP_REQUEST = "OTP_REQUEST",
  OTP_AUTH = "OTP_AUTH",
  DEMO_AUTH = "DEMO_AUTH",
  BIO_AUTH = "BIO_AUTH",
  EKYC_AUTH = "EKYC_AUTH",
  KYC_AUTH = "KYC_AUTH",
  KYC_EXCHANGE = "KYC_EXCHANGE",
  TOKEN_SEEDING = "TOKEN_SEEDING",
}
registerEnumType(RequestType, { name: "AuthRequestType" });

/**
 * One authentication request, successful or not (MOSIP auth_transaction). Keyed by the identity's
 * internal id and the partner; it stores the token that partner received, never the UIN or VID.
 */
@Entity({ tableName: "auth_transaction" })
@Index({ properties: ["identityId", "createdAt"] })
@Index({ properties: ["partnerId", "createdAt"] })
@Index({ properties: ["identityId", "transactionId"] })
@ObjectType("AuthTransaction")
export class AuthTransaction {
  [OptionalProps]?: "id" | "createdAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Property({ type: "uuid", nullable: true })
  identityId!: string | null;

  @Field({ description: "The partner that asked." })
  @Property({ type: "string", length: 100 })
  partnerId!: string;

  @Field({ description: "The partner's own transaction id." })
  @Property({ type: "string", length: 64 })
  transactionId!: string;

  @Field(() => RequestType)
  @Enum({ items: () => RequestType })
  requestType!: RequestType;

  @Field({ description: "UIN or VID: which kind of id was presented (never the id itself)." })
  @Property({ type: "string", length: 3 })
  idType!: string;

  @Field()
  @Property({ type: "boolean" })
  success!: boolean;

  @Field(() => String, { nullable: true, description: "MOSIP error code of a failure." })
  @Property({ type: "string", length: 20, nullable: true })
  errorCode!: string | null;

  @Field(() => String, { nullable: true, description: "The token the partner received (its own PSUT)." })
  @Property({ type: "string", length: 36, nullable: true })
  token!: string | null;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}

export enum OtpStatus {
  ACTIVE = "ACTIVE",
  USED = "USED",
  FROZEN = "FROZEN",
}

/** An OTP request: the code is kept only as a peppered hash, bound to (identity, partner, transactionId). */
@Entity({ tableName: "otp" })
@Index({ properties: ["identityId", "createdAt"] })
export class Otp {
  [OptionalProps]?: "id" | "status" | "failures" | "createdAt";

  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Property({ type: "uuid" })
  identityId!: string;

  @Property({ type: "string", length: 100 })
  partnerId!: string;

  @Property({ type: "string", length: 64 })
  transactionId!: string;

  @Property({ type: "string", length: 64 })
  codeHash!: string;

  @Enum({ items: () => OtpStatus })
  status: OtpStatus = OtpStatus.ACTIVE;

  @Property({ type: "integer" })
  failures = 0;

  @Property({ type: "datetime" })
  expiresAt!: Date;

  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}

/** Per-identity lock of one auth type, with an optional timed unlock (MOSIP uin_auth_lock). */
@Entity({ tableName: "auth_lock" })
@Unique({ properties: ["identityId", "authType"] })
export class AuthLock {
  [OptionalProps]?: "id" | "unlockUntil" | "updatedAt";

  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Property({ type: "uuid" })
  identityId!: string;

  @Property({ type: "string", length: 20 })
  authType!: string;

  @Property({ type: "boolean" })
  locked!: boolean;

  /** A temporary unlock: the type is usable until then, locked again after. */
  @Property({ type: "datetime", nullable: true })
  unlockUntil?: Date | null;

  @Property({ type: "datetime", onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

export enum KycTokenStatus {
  ACTIVE = "ACTIVE",
  PROCESSED = "PROCESSED",
}

/** eSignet-style kycToken: issued by kyc-auth, single use, short-lived; stored by hash. */
@Entity({ tableName: "kyc_token" })
export class KycToken {
  [OptionalProps]?: "status" | "createdAt";

  @PrimaryKey({ type: "string", length: 64 })
  tokenHash!: string;

  @Property({ type: "uuid" })
  identityId!: string;

  @Property({ type: "string", length: 100 })
  partnerId!: string;

  @Property({ type: "string", length: 64 })
  transactionId!: string;

  /** Hash of the individual id presented, to check kyc-exchange names the same person (IDA-KYE-007). */
  @Property({ type: "string", length: 64 })
  individualIdHash!: string;

  @Property({ type: "string", length: 36 })
  psut!: string;

  @Enum({ items: () => KycTokenStatus })
  status: KycTokenStatus = KycTokenStatus.ACTIVE;

  @Property({ type: "datetime" })
  expiresAt!: Date;

  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}

export enum OutboxStatus {
  PENDING = "PENDING",
  SENDING = "SENDING",
  SENT = "SENT",
  FAILED = "FAILED",
}

/**
 * Notification outbox: written in the same transaction as the OTP, sent afterwards by the dispatcher
 * with retries. Recipient and text are sealed, and wiped once delivered.
 */
@Entity({ tableName: "notification_outbox" })
@Index({ properties: ["status", "nextAttemptAt"] })
export class OutboxMessage {
  [OptionalProps]?: "id" | "status" | "attempts" | "createdAt" | "nextAttemptAt" | "sentAt" | "lastError";

  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Property({ type: "string", length: 10 })
  channel!: string;

  @Property({ type: "text", nullable: true })
  payloadSealed!: string | null;

  @Enum({ items: () => OutboxStatus })
  status: OutboxStatus = OutboxStatus.PENDING;

  @Property({ type: "integer" })
  attempts = 0;

  @Property({ type: "datetime" })
  nextAttemptAt: Date = new Date();

  @Property({ type: "text", nullable: true })
  lastError?: string | null;

  @Property({ type: "datetime", nullable: true })
  sentAt?: Date | null;

  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}
