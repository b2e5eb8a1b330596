import { Entity, Enum, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from "@mikro-orm/core";
import { Field, ObjectType, registerEnumType } from "type-graphql";
import { Identity } from "./identity.entity";

export enum VerificationStatus {
  VERIFIED = "VERIFIED",
  FAILED = "FAILED",
}
registerEnumType(VerificationStatus, { name: "IdVerificationStatus" });

export enum VerificationMethod {
  ENROLLMENT = "ENROLLMENT",
  TOKEN_SEEDING = "TOKEN_SEEDING",
}
registerEnumType(VerificationMethod, { name: "IdVerificationMethod" });

/**
 * The link from a registry Registrant to an identity, and how it was verified. The registry never
 * stores a UIN or VID: it gets `Registrant.idVerification` (status, method, time, token) from here.
 */
@Entity({ tableName: "registrant_identity" })
@ObjectType("IdVerification", { description: "How a registrant's national id was verified; never the id itself." })
export class RegistrantIdentity {
  [OptionalProps]?: "identity" | "errorCode" | "seedPartnerId" | "seedToken";

  @PrimaryKey({ type: "uuid" })
  registrantId!: string;

  @ManyToOne(() => Identity, { nullable: true, ref: true, deleteRule: "set null" })
  identity?: Ref<Identity> | null;

  @Field(() => VerificationStatus)
  @Enum({ items: () => VerificationStatus })
  status!: VerificationStatus;

  @Field(() => VerificationMethod)
  @Enum({ items: () => VerificationMethod })
  method!: VerificationMethod;

  @Field()
  @Property({ type: "datetime" })
  verifiedAt!: Date;

  @Field(() => String, { nullable: true, description: "MOSIP code of a failed verification." })
  @Property({ type: "string", length: 20, nullable: true })
  errorCode?: string | null;

  /** The partner the seeding ran for, and the token it stored (as OpenG2P keeps MOSIP's PSUT). */
  @Property({ type: "string", length: 100, nullable: true })
  seedPartnerId?: string | null;

  @Property({ type: "string", length: 36, nullable: true })
  seedToken?: string | null;
}

/**
 * Staging for token seeding: one row per chunk of up to 1,000 records (registrant id, individual id,
 * demographics), sealed as one AES-GCM document, and deleted in the transaction that processes it.
 */
@Entity({ tableName: "token_seed_chunk" })
@Unique({ properties: ["batchId", "seq"] })
export class TokenSeedChunk {
  @PrimaryKey({ type: "uuid" })
  id!: string;

  @Property({ type: "uuid" })
  batchId!: string;

  @Property({ type: "integer" })
  seq!: number;

  @Property({ type: "text" })
  sealed!: string;
}
