import { connectionTypes, keysetPage, notFound, type RegistrantKey, type SubgraphContext } from "@g2p/kit";
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root, registerEnumType } from "type-graphql";
import { eligibilityConfig } from "../config";
import { Enrollment, EnrollmentState } from "../entities/enrollment.entity";
import { Cycle } from "../entities/cycle.entity";
import { Program } from "../entities/program.entity";
import { ProgramRun } from "../entities/program-run.entity";
import { RegistrantRef } from "../entities/registrant-ref";
import type { EligibilityLoaders } from "../loaders";
import { canSee, loadProgram } from "../services/access";
import { startEvaluation } from "../services/cycle.service";
import { configureProgram, createProgram, enroll, overrideEnrollment, validateExpression } from "../services/program.service";
import { ruleAttributes } from "../services/rules";
import { CreateProgramInput, ProgramSettingsInput } from "./inputs";

export type EligibilityContext = SubgraphContext<EligibilityLoaders>;

export const ProgramConnection = connectionTypes(Program, "Program");
export const EnrollmentConnection = connectionTypes(Enrollment, "Enrollment");

export enum ExpressionKind {
  BOOL = "BOOL",
  NUMBER = "NUMBER",
}
registerEnumType(ExpressionKind, { name: "ExpressionKind", description: "BOOL for criteria, NUMBER for score parts." });

@ObjectType()
export class RulePosition {
  @Field(() => Int, { description: "0-based offset of the first character." }) start!: number;
  @Field(() => Int) end!: number;
  @Field(() => Int) line!: number;
  @Field(() => Int) column!: number;
}

@ObjectType({ description: "The result of checking a rule expression." })
export class RuleCheck {
  @Field() valid!: boolean;
  @Field(() => String, { nullable: true, description: "SYNTAX, UNKNOWN_ATTRIBUTE or TYPE." }) problem!: string | null;
  @Field(() => String, { nullable: true }) message!: string | null;
  @Field(() => RulePosition, { nullable: true }) position!: RulePosition | null;
  @Field(() => String, { nullable: true, description: "The unknown attribute, e.g. registrant.income." }) attribute!: string | null;
}

@ObjectType()
export class RuleAttribute {
  @Field() name!: string;
  @Field() type!: string;
}

@ObjectType()
export class StateCount {
  @Field() state!: string;
  @Field(() => Int) count!: number;
}

@Resolver(() => Program)
export class ProgramResolver {
  @Authorized("program:read")
  @Query(() => Program)
  async program(@Arg("id", () => ID) id: string, @Ctx() ctx: EligibilityContext): Promise<Program> {
    const found = await ctx.loaders.programById.load(id);
    if (!found || !canSee(ctx.viewer, id)) throw notFound("Program", id);
    return found;
  }

  @Authorized("program:read")
  @Query(() => ProgramConnection)
  programs(
    @Ctx() ctx: EligibilityContext,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    const where = ctx.viewer.programIds.length > 0 ? { id: { $in: [...ctx.viewer.programIds] } } : {};
    return keysetPage(ctx.em, Program, where, { first, after });
  }

  @Authorized("program:read")
  @Query(() => RuleCheck, { description: "Checks a rule or score expression without saving it (for editors)." })
  validateRule(@Arg("expression") expression: string, @Arg("kind", () => ExpressionKind, { defaultValue: ExpressionKind.BOOL }) kind: ExpressionKind): RuleCheck {
    const e = validateExpression(expression, kind === ExpressionKind.BOOL ? "bool" : "number");
    if (!e) return { valid: true, problem: null, message: null, position: null, attribute: null };
    return { valid: false, problem: e.problem, message: e.message, position: { start: e.start, end: e.end, line: e.line, column: e.column }, attribute: e.attribute };
  }

  @Authorized("program:read")
  @Query(() => [RuleAttribute], { description: "What rules can read (with this deployment's extra attributes)." })
  ruleAttributes(): RuleAttribute[] {
    return ruleAttributes(eligibilityConfig().ELIGIBILITY_EXTRA_ATTRIBUTES);
  }

  @Authorized("program:read")
  @Query(() => EnrollmentConnection)
  async programEnrollments(
    @Arg("programId", () => ID) programId: string,
    @Ctx() ctx: EligibilityContext,
    @Arg("state", () => EnrollmentState, { nullable: true }) state?: EnrollmentState,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    await loadProgram(ctx.em, ctx.viewer, programId);
    return keysetPage(ctx.em, Enrollment, state ? { programId, state } : { programId }, { first, after });
  }

  @Authorized("program:read")
  @Query(() => [Enrollment], { description: "Eligible enrollments ranked by score (best first: lowest for AT_MOST, highest for AT_LEAST)." })
  async ranking(
    @Arg("programId", () => ID) programId: string,
    @Ctx() ctx: EligibilityContext,
    @Arg("first", () => Int, { defaultValue: 100 }) first: number,
  ) {
    const program = await loadProgram(ctx.em, ctx.viewer, programId);
    const limit = Math.min(Math.max(first, 1), 500);
    const dir = program.scoring?.eligibleWhen === "AT_LEAST" ? "desc" : "asc";
    return ctx.em.find(Enrollment, { programId, state: EnrollmentState.ENROLLED, score: { $ne: null } }, { orderBy: { score: dir, id: "asc" }, limit });
  }

  @Authorized("program:write")
  @Mutation(() => Program)
  createProgram(@Arg("input", () => CreateProgramInput) input: CreateProgramInput, @Ctx() ctx: EligibilityContext) {
    return createProgram(ctx.em, ctx, input);
  }

  @Authorized("program:write")
  @Mutation(() => Program, { description: "Sets rules, scoring, formula, approval stages...; expressions are validated (coded, located errors)." })
  configureProgram(@Arg("id", () => ID) id: string, @Arg("input", () => ProgramSettingsInput) input: ProgramSettingsInput, @Ctx() ctx: EligibilityContext) {
    return configureProgram(ctx.em, ctx, id, input);
  }

  @Authorized("program:write")
  @Mutation(() => ProgramRun, { description: "Evaluates every registrant of the registry against the program (a job; see ProgramRun)." })
  evaluateProgram(
    @Arg("programId", () => ID) programId: string,
    @Ctx() ctx: EligibilityContext,
    @Arg("chunks", () => Int, { nullable: true, description: "Override the number of chunks (1 to 4096)." }) chunks?: number,
    @Arg("asOf", () => String, { nullable: true, description: "ISO date ages are computed on (default: today, UTC)." }) asOf?: string,
  ) {
    return startEvaluation(ctx.em, ctx, programId, null, chunksArg(chunks), asOf ?? null);
  }

  @Authorized("enrollment:write")
  @Mutation(() => Enrollment)
  enroll(@Arg("programId", () => ID) programId: string, @Arg("registrantId", () => ID) registrantId: string, @Ctx() ctx: EligibilityContext) {
    return enroll(ctx.em, ctx, programId, registrantId);
  }

  @Authorized("enrollment:write")
  @Mutation(() => Enrollment, { description: "Manual decision with a reason (audited); later evaluations keep it." })
  overrideEnrollment(
    @Arg("enrollmentId", () => ID) enrollmentId: string,
    @Arg("state", () => EnrollmentState) state: EnrollmentState,
    @Arg("reason") reason: string,
    @Ctx() ctx: EligibilityContext,
  ) {
    return overrideEnrollment(ctx.em, ctx, enrollmentId, state, reason);
  }

  @FieldResolver(() => [Cycle])
  cycles(@Root() program: Program, @Ctx() ctx: EligibilityContext) {
    return ctx.loaders.cyclesByProgram.load(program.id);
  }

  @FieldResolver(() => [StateCount], { description: "Enrollments per state (dashboards)." })
  enrollmentCounts(@Root() program: Program, @Ctx() ctx: EligibilityContext) {
    return ctx.loaders.enrollmentCounts.load(program.id);
  }
}

export function chunksArg(chunks: number | undefined | null): number | undefined {
  if (chunks == null) return undefined;
  return Math.min(Math.max(Math.trunc(chunks), 1), 4096);
}

@Resolver(() => Enrollment)
export class EnrollmentResolver {
  @FieldResolver(() => Program)
  program(@Root() enrollment: Enrollment, @Ctx() ctx: EligibilityContext) {
    return ctx.loaders.programById.load(enrollment.programId);
  }
}

@Resolver(() => RegistrantRef)
export class RegistrantEnrollmentsResolver {
  @Authorized("program:read")
  @FieldResolver(() => [Enrollment], { nullable: true, description: "This registrant's enrollments across all programs." })
  async enrollments(@Root() registrant: RegistrantKey, @Ctx() ctx: EligibilityContext) {
    const all = await ctx.loaders.enrollmentsByRegistrant.load(registrant.id);
    return ctx.viewer.programIds.length > 0 ? all.filter((e) => canSee(ctx.viewer, e.programId)) : all;
  }
}
