import { Field, Float, InputType, Int } from "type-graphql";
import { BenefitKind, ScoreDirectionEnum, TargetKind } from "../entities/program.entity";
import type { ScoreDirection } from "../services/rules";

@InputType()
export class CriterionInput {
  @Field() name!: string;
  @Field({ description: "CEL expression that must be true, e.g. `household.children >= 1 && extra.income < 5000.0`." }) expression!: string;
}

@InputType()
export class ScoringPartInput {
  @Field() name!: string;
  @Field({ description: "CEL expression returning a number." }) expression!: string;
  @Field(() => Float) weight!: number;
}

@InputType()
export class ScoringInput {
  @Field(() => Float, { defaultValue: 0 }) intercept!: number;
  @Field(() => [ScoringPartInput]) parts!: ScoringPartInput[];
  @Field(() => Float) threshold!: number;
  @Field(() => ScoreDirectionEnum, { defaultValue: ScoreDirectionEnum.AT_MOST }) eligibleWhen!: ScoreDirection;
}

@InputType()
export class EntitlementItemInput {
  @Field() name!: string;
  @Field() unit!: string;
  @Field(() => Int, { defaultValue: 0 }) baseQuantity!: number;
  @Field(() => Int, { defaultValue: 0 }) perMemberQuantity!: number;
}

@InputType()
export class EntitlementFormulaInput {
  @Field({ defaultValue: "0.00" }) baseAmount!: string;
  @Field({ defaultValue: "0.00" }) perMemberAmount!: string;
  @Field(() => Int, { nullable: true }) memberCap!: number | null;
  @Field({ defaultValue: "0.00" }) feeAmount!: string;
  @Field(() => Int, { defaultValue: 30 }) validityDays!: number;
  @Field(() => [EntitlementItemInput], { defaultValue: [] }) items!: EntitlementItemInput[];
}

@InputType()
export class ApprovalStageInput {
  @Field() name!: string;
  @Field({ description: "The role whose holders decide this stage." }) role!: string;
}

@InputType()
export class ProgramSettingsInput {
  @Field(() => BenefitKind, { nullable: true }) benefitKind?: BenefitKind | null;
  @Field(() => String, { nullable: true, description: "Exact decimal string." }) budget?: string | null;
  @Field(() => String, { nullable: true }) ministry?: string | null;
  @Field(() => [String], { nullable: true }) managerRoles?: string[] | null;
  @Field(() => [CriterionInput], { nullable: true }) criteria?: CriterionInput[] | null;
  @Field(() => ScoringInput, { nullable: true }) scoring?: ScoringInput | null;
  @Field(() => Boolean, { nullable: true, description: "Remove the scoring." }) clearScoring?: boolean | null;
  @Field(() => EntitlementFormulaInput, { nullable: true }) entitlementFormula?: EntitlementFormulaInput | null;
  @Field(() => [ApprovalStageInput], { nullable: true, description: "Ordered approval stages (default: one stage, role approver)." })
  approvalStages?: ApprovalStageInput[] | null;
}

@InputType()
export class CreateProgramInput extends ProgramSettingsInput {
  @Field() name!: string;
  @Field(() => TargetKind) target!: TargetKind;
  @Field() currency!: string;
}

@InputType()
export class CreateCycleInput {
  @Field() programId!: string;
  @Field() name!: string;
  @Field({ description: "ISO date." }) startDate!: string;
  @Field({ description: "ISO date." }) endDate!: string;
}
