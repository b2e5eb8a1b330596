import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import type { Decision } from "../services/rules";

export enum EnrollmentState {
  DRAFT = "DRAFT",
  ENROLLED = "ENROLLED",
  PAUSED = "PAUSED",
  EXITED = "EXITED",
  NOT_ELIGIBLE = "NOT_ELIGIBLE",
  DUPLICATED = "DUPLICATED",
}
registerEnumType(EnrollmentState, { name: "EnrollmentState" });

@ObjectType()
export class CriterionResult {
  @Field() name!: string;
  @Field() passed!: boolean;
}

@ObjectType()
export class ScorePart {
  @Field() name!: string;
  @Field(() => Float) value!: number;
  @Field(() => Float) weight!: number;
  @Field(() => Float) contribution!: number;
}

@ObjectType({ description: "Why a registrant is (not) eligible: each criterion, the score and its parts." })
export class Explanation implements Decision {
  @Field(() => Boolean, { nullable: true, description: "null when the registrant could not be evaluated." }) eligible!: boolean | null;
  @Field(() => Float, { nullable: true }) score!: number | null;
  @Field(() => [CriterionResult]) criteria!: CriterionResult[];
  @Field(() => [ScorePart]) parts!: ScorePart[];
  @Field(() => Float, { nullable: true }) threshold!: number | null;
  @Field(() => Boolean, { nullable: true }) scorePassed!: boolean | null;
  @Field(() => String, { nullable: true, description: "Why this registrant could not be evaluated." }) error!: string | null;
}

/** A registrant's membership of a program (one per program and registrant). */
@Entity({ tableName: "enrollment" })
@Unique({ properties: ["programId", "registrantId"] })
@Index({ properties: ["registrantId"] })
@Index({ properties: ["programId", "state", "id"] })
@ObjectType()
export class Enrollment {
  [OptionalProps]?: "id" | "state" | "createdAt" | "score" | "explanation" | "householdSize" | "evaluatedAt" | "lastRunId" | "evaluationError" | "overrideReason" | "overriddenBy" | "overriddenAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field(() => ID)
  @Property({ type: "uuid" })
  programId!: string;

  @Field(() => ID)
  @Property({ type: "uuid" })
  registrantId!: string;

  @Field(() => EnrollmentState)
  @Enum({ items: () => EnrollmentState })
  state: EnrollmentState = EnrollmentState.DRAFT;

  @Field(() => Float, { nullable: true, description: "Proxy-means-test score of the last evaluation." })
  @Property({ type: "double", nullable: true })
  score: number | null = null;

  @Field(() => Explanation, { nullable: true, description: "The last evaluation's explanation." })
  @Property({ type: "json", nullable: true })
  explanation: Decision | null = null;

  @Field(() => Int, { description: "Members counted by the entitlement formula (1 for an individual), as of the last evaluation." })
  @Property({ type: "integer" })
  householdSize = 1;

  @Field(() => Date, { nullable: true })
  @Property({ type: "datetime", nullable: true })
  evaluatedAt: Date | null = null;

  @Property({ type: "uuid", nullable: true })
  lastRunId: string | null = null;

  @Field(() => String, { nullable: true, description: "Why the last evaluation could not decide (unknown attribute, registry data of the wrong type)." })
  @Property({ type: "text", nullable: true })
  evaluationError: string | null = null;

  @Field(() => String, { nullable: true, description: "Reason of the last manual override (overrides survive re-evaluation)." })
  @Property({ type: "text", nullable: true })
  overrideReason: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: "string", length: 255, nullable: true })
  overriddenBy: string | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: "datetime", nullable: true })
  overriddenAt: Date | null = null;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}
