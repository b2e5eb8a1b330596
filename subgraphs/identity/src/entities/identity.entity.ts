import { randomUUID } from "node:crypto";
import { Entity, Enum, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";

export enum IdentityStatus {
  ACTIVATED = "ACTIVATED",
  BLOCKED = "BLOCKED",
  DEACTIVATED = "DEACTIVATED",
}
registerEnumType(IdentityStatus, { name: "IdentityStatus" });

/**
 * A person known to the identity block. The UIN is stored twice, never in clear: as a peppered hash
 * (to find the record) and sealed with AES-GCM (to show it to the few roles allowed). Demographics
 * are one sealed JSON document, so there is no search by attribute. The rest of the graph knows the
 * person only by a partner-specific token (the `token` field), derived from `personToken`.
 */
@Entity({ tableName: "identity" })
@ObjectType({ description: "A person's identity record (MOSIP ID Repository style)." })
@Directive('@key(fields: "id")')
export class Identity {
  [OptionalProps]?: "id" | "status" | "createdAt" | "updatedAt" | "hasAuthLocks" | "biometricReferenceId" | "otpFrozenUntil";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field(() => IdentityStatus)
  @Enum({ items: () => IdentityStatus })
  status: IdentityStatus = IdentityStatus.ACTIVATED;

  @Property({ type: "string", length: 64 })
  @Unique()
  uinHash!: string;

  @Property({ type: "text" })
  uinSealed!: string;

  /** Token(UIN, online-verification partner): the input of every partner-specific token. */
  @Property({ type: "string", length: 36 })
  @Unique()
  personToken!: string;

  @Property({ type: "text" })
  demographicsSealed!: string;

  /** ABIS reference (a UUID, no PII) of this person's biometric templates. */
  @Property({ type: "uuid", nullable: true, index: true })
  biometricReferenceId?: string | null;

  /** Set when an auth lock row exists, so the auth path skips the lock lookup for everyone else. */
  @Property({ type: "boolean" })
  hasAuthLocks = false;

  /** Frozen for OTP after too many failed validations (IDA-OTA-006 / -007). */
  @Property({ type: "datetime", nullable: true })
  otpFrozenUntil?: Date | null;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();

  @Field()
  @Property({ type: "datetime", onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
