import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { MoneyType } from "@g2p/kit";
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";

export enum CycleState {
  DRAFT = "DRAFT",
  TO_APPROVE = "TO_APPROVE",
  APPROVED = "APPROVED",
  DISTRIBUTED = "DISTRIBUTED",
  CANCELLED = "CANCELLED",
  ENDED = "ENDED",
}
registerEnumType(CycleState, { name: "CycleState" });

export enum ApprovalDecision {
  APPROVED = "APPROVED",
  REJECTED = "REJECTED",
}
registerEnumType(ApprovalDecision, { name: "ApprovalDecision" });

/** One distribution round of a program: eligibility re-checked, entitlements generated, approved. */
@Entity({ tableName: "cycle" })
@Index({ properties: ["programId", "createdAt"] })
@ObjectType()
@Directive('@key(fields: "id")')
export class Cycle {
  [OptionalProps]?: "id" | "state" | "createdAt" | "round" | "approvedStages" | "evaluationRunId" | "generationRunId" | "submittedBy" | "rejectionReason";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field(() => ID)
  @Property({ type: "uuid" })
  programId!: string;

  @Field()
  @Property({ type: "string", length: 200 })
  name!: string;

  @Field({ description: "ISO date; ages are computed as of this day." })
  @Property({ type: "string", length: 10 })
  startDate!: string;

  @Field()
  @Property({ type: "string", length: 10 })
  endDate!: string;

  @Field(() => CycleState)
  @Enum({ items: () => CycleState })
  state: CycleState = CycleState.DRAFT;

  @Field(() => Int, { description: "Submissions so far; approvals count within the current round." })
  @Property({ type: "integer" })
  round = 0;

  @Field(() => Int, { description: "How many approval stages have approved (in order) in this round." })
  @Property({ type: "integer" })
  approvedStages = 0;

  @Field(() => ID, { nullable: true, description: "The eligibility re-check of this cycle." })
  @Property({ type: "uuid", nullable: true })
  evaluationRunId: string | null = null;

  @Field(() => ID, { nullable: true })
  @Property({ type: "uuid", nullable: true })
  generationRunId: string | null = null;

  @Field()
  @Property({ type: "string", length: 255 })
  createdBy!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: "string", length: 255, nullable: true })
  submittedBy: string | null = null;

  @Field(() => String, { nullable: true, description: "Reason of the last rejection." })
  @Property({ type: "text", nullable: true })
  rejectionReason: string | null = null;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}

/** One step of a cycle's approval: who decided which stage, when, and why. */
@Entity({ tableName: "cycle_approval" })
@Index({ properties: ["cycleId", "at"] })
@ObjectType()
export class CycleApproval {
  [OptionalProps]?: "id" | "at" | "reason";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Property({ type: "uuid" })
  cycleId!: string;

  @Field(() => Int)
  @Property({ type: "integer" })
  round!: number;

  @Field(() => Int, { description: "0-based index of the stage." })
  @Property({ type: "integer" })
  stage!: number;

  @Field()
  @Property({ type: "string", length: 200 })
  stageName!: string;

  @Field()
  @Property({ type: "string", length: 50 })
  role!: string;

  @Field(() => ApprovalDecision)
  @Enum({ items: () => ApprovalDecision })
  decision!: ApprovalDecision;

  @Field()
  @Property({ type: "string", length: 255 })
  actor!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: "text", nullable: true })
  reason: string | null = null;

  @Field()
  @Property({ type: "datetime" })
  at: Date = new Date();
}

@ObjectType()
export class EntitlementItemQuantity {
  @Field() name!: string;
  @Field() unit!: string;
  @Field(() => Int) quantity!: number;
}

/** What one beneficiary is entitled to in one cycle (one per cycle and registrant). */
@Entity({ tableName: "entitlement" })
@Unique({ properties: ["cycleId", "registrantId"] })
@Index({ properties: ["cycleId", "createdAt", "id"] })
@Index({ properties: ["registrantId"] })
@ObjectType()
export class Entitlement {
  [OptionalProps]?: "id" | "createdAt" | "items";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field(() => ID)
  @Property({ type: "uuid" })
  cycleId!: string;

  @Field(() => ID)
  @Property({ type: "uuid" })
  programId!: string;

  @Field(() => ID)
  @Property({ type: "uuid" })
  registrantId!: string;

  @Field(() => ID)
  @Property({ type: "uuid" })
  enrollmentId!: string;

  @Field({ description: "Cash amount (exact decimal string)." })
  @Property({ type: MoneyType })
  amount!: string;

  @Field({ description: "Transfer fee (exact decimal string)." })
  @Property({ type: MoneyType })
  fee!: string;

  @Field()
  @Property({ type: "string", length: 3 })
  currency!: string;

  @Property({ type: "json", nullable: true })
  items: EntitlementItemQuantity[] | null = null;

  /** Cash entitlements store no items (null); the graph always answers a list. */
  @Field(() => [EntitlementItemQuantity], { name: "items", description: "In-kind items, if any (empty for cash)." })
  get itemList(): EntitlementItemQuantity[] {
    return this.items ?? [];
  }

  @Field({ description: "ISO date." })
  @Property({ type: "string", length: 10 })
  validFrom!: string;

  @Field({ description: "ISO date (inclusive)." })
  @Property({ type: "string", length: 10 })
  validUntil!: string;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}

