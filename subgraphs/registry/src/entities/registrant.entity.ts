import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { GraphQLJSONObject } from "graphql-scalars";
import { Authorized, Directive, Field, ID, ObjectType, registerEnumType } from "type-graphql";

export enum RegistrantKind {
  INDIVIDUAL = "INDIVIDUAL",
  GROUP = "GROUP",
}
registerEnumType(RegistrantKind, { name: "RegistrantKind", description: "A person, or a group such as a household." });

export enum GroupKind {
  HOUSEHOLD = "HOUSEHOLD",
  FAMILY = "FAMILY",
}
registerEnumType(GroupKind, { name: "GroupKind" });

export enum Sex {
  MALE = "MALE",
  FEMALE = "FEMALE",
  OTHER = "OTHER",
  UNKNOWN = "UNKNOWN",
}
registerEnumType(Sex, { name: "Sex" });

export enum RegistrantStatus {
  ACTIVE = "ACTIVE",
  INACTIVE = "INACTIVE",
  /** Confirmed duplicate: folded into `mergedIntoId`. */
  MERGED = "MERGED",
}
registerEnumType(RegistrantStatus, { name: "RegistrantStatus" });

export enum RegistrationSource {
  API = "API",
  ODK = "ODK",
  CSV = "CSV",
  JSON = "JSON",
}
registerEnumType(RegistrationSource, { name: "RegistrationSource" });

const PERSONAL = "Personal data: needs personal_data:read.";

/** A person or a group (household, family). Every other block extends this entity by its `id`. */
@Entity({ tableName: "registrant" })
@Index({ properties: ["createdAt", "id"] })
@Index({ properties: ["nameSort", "id"] })
@Index({ properties: ["birthDate"] })
// Every index here is a random B-tree entry each import pays for: only those a query reads (areas
// and phones are found through registrant_key, see registrant-key.entity.ts).
@Unique({ properties: ["source", "sourceId"] })
@ObjectType({ description: "A person (INDIVIDUAL) or a group such as a household (GROUP)." })
@Directive('@key(fields: "id")')
export class Registrant {
  [OptionalProps]?: "id" | "createdAt" | "updatedAt" | "status" | "birthDateApproximate" | "source" | "nameSort";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field(() => RegistrantKind)
  @Enum({ items: () => RegistrantKind })
  kind!: RegistrantKind;

  @Field(() => GroupKind, { nullable: true, description: "For groups: HOUSEHOLD or FAMILY." })
  @Enum({ items: () => GroupKind, nullable: true })
  groupKind?: GroupKind | null;

  @Authorized("personal_data:read")
  @Field(() => String, { nullable: true, description: PERSONAL })
  @Property({ type: "string", length: 200, nullable: true })
  givenName?: string | null;

  @Authorized("personal_data:read")
  @Field(() => String, { nullable: true, description: PERSONAL })
  @Property({ type: "string", length: 200, nullable: true })
  familyName?: string | null;

  @Authorized("personal_data:read")
  @Field(() => String, { nullable: true, description: PERSONAL })
  @Property({ type: "string", length: 200, nullable: true })
  otherNames?: string | null;

  @Field(() => String, { nullable: true, description: "For groups: the household or family name." })
  @Property({ type: "string", length: 200, nullable: true })
  groupName?: string | null;

  /** Normalised "family given other" (lower-case ASCII): the NAME sort key, never exposed. */
  @Property({ type: "string", length: 400 })
  nameSort: string = "";

  @Authorized("personal_data:read")
  @Field(() => String, { nullable: true, description: `ISO date YYYY-MM-DD. ${PERSONAL}` })
  @Property({ type: "string", length: 10, nullable: true })
  birthDate?: string | null;

  @Authorized("personal_data:read")
  @Field({ description: "True when the birth date is an estimate." })
  @Property({ type: "boolean", default: false })
  birthDateApproximate: boolean = false;

  @Field(() => Sex, { nullable: true })
  @Enum({ items: () => Sex, nullable: true })
  sex?: Sex | null;

  @Authorized("personal_data:read")
  @Field(() => [String], { description: `E.164 phone numbers. ${PERSONAL}` })
  @Property({ type: "json" })
  phones: string[] = [];

  /** The first phone, indexed for deduplication. */
  @Property({ type: "string", length: 20, nullable: true })
  primaryPhone?: string | null;

  @Authorized("personal_data:read")
  @Field(() => String, { nullable: true, description: PERSONAL })
  @Property({ type: "string", length: 500, nullable: true })
  addressLine?: string | null;

  @Field(() => String, { nullable: true, description: "Code of the lowest administrative area known (e.g. KE-047-02)." })
  @Property({ type: "string", length: 100, nullable: true })
  adminAreaCode?: string | null;

  /** Hierarchy as a materialised path "KE/047/02/" so an area filter is one index range. */
  @Property({ type: "string", length: 300, nullable: true })
  adminAreaPath?: string | null;

  @Field(() => Boolean, { nullable: true })
  @Property({ type: "boolean", nullable: true })
  disability?: boolean | null;

  @Field(() => RegistrantStatus)
  @Enum({ items: () => RegistrantStatus, default: RegistrantStatus.ACTIVE })
  status: RegistrantStatus = RegistrantStatus.ACTIVE;

  @Field(() => ID, { nullable: true, description: "When MERGED: the registrant this one was folded into." })
  @Property({ type: "uuid", nullable: true })
  mergedIntoId?: string | null;

  @Field(() => String, { nullable: true, description: "ISO date of registration." })
  @Property({ type: "string", length: 10, nullable: true })
  registrationDate?: string | null;

  @Field(() => RegistrationSource)
  @Enum({ items: () => RegistrationSource, default: RegistrationSource.API })
  source: RegistrationSource = RegistrationSource.API;

  @Field(() => String, { nullable: true, description: "Id in the source (ODK instanceID, CSV source_id): imports are idempotent on it." })
  @Property({ type: "string", length: 255, nullable: true })
  sourceId?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "Deployment-defined attributes, validated against the deployment's JSON schema." })
  @Property({ type: "json", nullable: true })
  extra?: Record<string, unknown> | null;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();

  @Field()
  @Property({ type: "datetime", onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
