import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";
import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";

export enum RunKind {
  EVALUATION = "EVALUATION",
  ENTITLEMENTS = "ENTITLEMENTS",
}
registerEnumType(RunKind, { name: "ProgramRunKind" });

/**
 * A bulk run over a program (eligibility evaluation or entitlement generation): its counters are
 * advanced in each chunk's transaction, so they are exact even when chunks are retried.
 */
@Entity({ tableName: "program_run" })
@Index({ properties: ["programId", "createdAt"] })
@ObjectType()
export class ProgramRun {
  [OptionalProps]?: "id" | "createdAt" | "jobId" | "cycleId" | "processed" | "eligible" | "notEligible" | "errors" | "created";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field(() => RunKind)
  @Enum({ items: () => RunKind })
  kind!: RunKind;

  @Field(() => ID)
  @Property({ type: "uuid" })
  programId!: string;

  @Field(() => ID, { nullable: true })
  @Property({ type: "uuid", nullable: true })
  cycleId: string | null = null;

  @Field(() => ID, { nullable: true })
  @Property({ type: "uuid", nullable: true })
  jobId: string | null = null;

  @Field({ description: "ISO date the evaluation computed ages on." })
  @Property({ type: "string", length: 10 })
  asOf!: string;

  @Field(() => Int, { description: "Registrants (or enrollments) processed so far." })
  @Property({ type: "integer" })
  processed = 0;

  @Field(() => Int)
  @Property({ type: "integer" })
  eligible = 0;

  @Field(() => Int)
  @Property({ type: "integer" })
  notEligible = 0;

  @Field(() => Int, { description: "Registrants that could not be evaluated (see their enrollment's explanation.error)." })
  @Property({ type: "integer" })
  errors = 0;

  @Field(() => Int, { description: "Entitlements created by this run (re-runs create none twice)." })
  @Property({ type: "integer" })
  created = 0;

  @Field()
  @Property({ type: "string", length: 255 })
  createdBy!: string;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}
