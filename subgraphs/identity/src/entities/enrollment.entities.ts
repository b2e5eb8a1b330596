import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";
import { Field, Float, ID, ObjectType, registerEnumType } from "type-graphql";

export enum Modality {
  FINGER = "FINGER",
  IRIS = "IRIS",
  FACE = "FACE",
}
registerEnumType(Modality, { name: "BiometricModality" });

/**
 * The simulated ABIS gallery: one template (a feature vector) per reference and modality. It knows
 * a referenceId (UUID) only, never the identity, UIN or any personal data.
 */
@Entity({ tableName: "abis_template" })
@Index({ properties: ["referenceId"] })
@Index({ properties: ["modality"] })
export class AbisTemplate {
  [OptionalProps]?: "id" | "createdAt";

  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Property({ type: "uuid" })
  referenceId!: string;

  @Property({ type: "string", length: 10 })
  modality!: string;

  @Property({ type: "string", length: 40, nullable: true })
  subType?: string | null;

  /** SHA-256 of the template, as MOSIP's mock ABIS keeps it. */
  @Property({ type: "string", length: 64 })
  templateHash!: string;

  /** Unit-normalised feature vector. */
  @Property({ type: "json" })
  vector!: number[];

  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}

export enum EnrollmentStatus {
  ISSUED = "ISSUED",
  DUPLICATE = "DUPLICATE",
  MANUAL_ADJUDICATION = "MANUAL_ADJUDICATION",
  REJECTED = "REJECTED",
}
registerEnumType(EnrollmentStatus, { name: "IdentityEnrollmentStatus" });

@ObjectType("BiometricDedupCandidate")
export class DedupCandidate {
  @Field(() => ID, { description: "The existing identity this enrollment resembles." }) identityId!: string;
  @Field(() => Float, { description: "Best similarity over the modalities, 0..1." }) score!: number;
  @Field(() => [Modality]) modalities!: Modality[];
}

/** One enrollment: ABIS insert + identify, then ISSUED, DUPLICATE or MANUAL_ADJUDICATION. */
@Entity({ tableName: "identity_enrollment" })
@ObjectType("IdentityEnrollment")
export class IdentityEnrollment {
  [OptionalProps]?: "id" | "createdAt" | "identityId" | "decidedAt" | "decidedBy" | "registrantId";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field(() => EnrollmentStatus)
  @Enum({ items: () => EnrollmentStatus })
  status!: EnrollmentStatus;

  @Field(() => ID, { nullable: true })
  @Property({ type: "uuid", nullable: true })
  registrantId?: string | null;

  /** ABIS reference of the applicant's templates. */
  @Property({ type: "uuid" })
  referenceId!: string;

  /** Demographics waiting for adjudication (sealed); cleared once decided. */
  @Property({ type: "text", nullable: true })
  demographicsSealed!: string | null;

  @Field(() => [DedupCandidate])
  @Property({ type: "json" })
  candidates!: DedupCandidate[];

  @Field(() => ID, { nullable: true, description: "The identity issued (status ISSUED)." })
  @Property({ type: "uuid", nullable: true })
  identityId?: string | null;

  @Field(() => Date, { nullable: true })
  @Property({ type: "datetime", nullable: true })
  decidedAt?: Date | null;

  @Property({ type: "string", length: 255, nullable: true })
  decidedBy?: string | null;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}
