import { randomUUID } from "node:crypto";
import { Entity, Enum, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";
import { MoneyType } from "@g2p/kit";
import { Directive, Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { DEFAULT_FORMULA, type EntitlementFormula } from "../services/formula";
import type { Criterion, Scoring, ScoreDirection } from "../services/rules";

export enum TargetKind {
  INDIVIDUAL = "INDIVIDUAL",
  GROUP = "GROUP",
}
registerEnumType(TargetKind, { name: "ProgramTarget", description: "Who a program enrolls: individuals or groups." });

export enum BenefitKind {
  CASH = "CASH",
  IN_KIND = "IN_KIND",
  VOUCHER = "VOUCHER",
  SERVICE = "SERVICE",
}
registerEnumType(BenefitKind, { name: "BenefitKind" });

export enum ScoreDirectionEnum {
  AT_MOST = "AT_MOST",
  AT_LEAST = "AT_LEAST",
}
registerEnumType(ScoreDirectionEnum, { name: "ScoreDirection", description: "Eligible when the score is at most (PMT: poorer) or at least the threshold." });

@ObjectType({ description: "One eligibility criterion: a CEL expression that must be true." })
export class CriterionType implements Criterion {
  @Field() name!: string;
  @Field() expression!: string;
}

@ObjectType()
export class ScoringPartType {
  @Field() name!: string;
  @Field({ description: "CEL expression returning a number." }) expression!: string;
  @Field(() => Float) weight!: number;
}

@ObjectType({ description: "Proxy-means test: score = intercept + Σ weight × value." })
export class ScoringType implements Scoring {
  @Field(() => Float) intercept!: number;
  @Field(() => [ScoringPartType]) parts!: ScoringPartType[];
  @Field(() => Float) threshold!: number;
  @Field(() => ScoreDirectionEnum) eligibleWhen!: ScoreDirection;
}

@ObjectType()
export class EntitlementItemType {
  @Field() name!: string;
  @Field() unit!: string;
  @Field(() => Int) baseQuantity!: number;
  @Field(() => Int) perMemberQuantity!: number;
}

@ObjectType({ description: "amount = baseAmount + perMemberAmount × min(members, memberCap); feeAmount per entitlement." })
export class EntitlementFormulaType implements EntitlementFormula {
  @Field() baseAmount!: string;
  @Field() perMemberAmount!: string;
  @Field(() => Int, { nullable: true }) memberCap!: number | null;
  @Field() feeAmount!: string;
  @Field(() => Int) validityDays!: number;
  @Field(() => [EntitlementItemType]) items!: EntitlementItemType[];
}

@ObjectType({ description: "One approval stage: who (which role) approves, in order." })
export class ApprovalStageType {
  @Field() name!: string;
  @Field() role!: string;
}

export interface ApprovalStage {
  name: string;
  role: string;
}

export const DEFAULT_STAGES: ApprovalStage[] = [{ name: "Approval", role: "approver" }];

/** A social-protection program: who it targets, its rules, scoring, entitlement formula and approvals. */
@Entity({ tableName: "program" })
@ObjectType()
@Directive('@key(fields: "id")')
export class Program {
  [OptionalProps]?: "id" | "createdAt" | "benefitKind" | "managerRoles" | "criteria" | "scoring" | "entitlementFormula" | "approvalStages" | "budget" | "ministry" | "createdBy";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field()
  @Property({ type: "string", length: 200 })
  name!: string;

  @Field(() => TargetKind)
  @Enum({ items: () => TargetKind })
  target!: TargetKind;

  @Field({ description: "ISO 4217 code of the program's benefits." })
  @Property({ type: "string", length: 3 })
  currency!: string;

  @Field(() => BenefitKind)
  @Enum({ items: () => BenefitKind })
  benefitKind: BenefitKind = BenefitKind.CASH;

  @Field(() => String, { nullable: true, description: "Budget in the program's currency (exact decimal)." })
  @Property({ type: MoneyType, nullable: true })
  budget: string | null = null;

  @Field(() => String, { nullable: true, description: "Owning ministry or agency." })
  @Property({ type: "string", length: 200, nullable: true })
  ministry: string | null = null;

  @Field(() => [String], { description: "Roles that may manage this program (besides admin); empty = any role with program:write." })
  @Property({ type: "json" })
  managerRoles: string[] = [];

  @Field(() => [CriterionType], { description: "All must hold for a registrant to be eligible." })
  @Property({ type: "json" })
  criteria: Criterion[] = [];

  @Field(() => ScoringType, { nullable: true })
  @Property({ type: "json", nullable: true })
  scoring: Scoring | null = null;

  @Field(() => EntitlementFormulaType)
  @Property({ type: "json" })
  entitlementFormula: EntitlementFormula = { ...DEFAULT_FORMULA };

  @Field(() => [ApprovalStageType])
  @Property({ type: "json" })
  approvalStages: ApprovalStage[] = DEFAULT_STAGES;

  @Property({ type: "string", length: 255, nullable: true })
  createdBy: string | null = null;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}
