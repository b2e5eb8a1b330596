import { connectionTypes, keysetPage, notFound, userError, type JobRecord } from "@g2p/kit";
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import { ApprovalDecision, Cycle, CycleApproval, CycleState, Entitlement } from "../entities/cycle.entity";
import { Enrollment as Enrollment_ } from "../entities/enrollment.entity";
import { Program } from "../entities/program.entity";
import { ProgramRun } from "../entities/program-run.entity";
import { canSee } from "../services/access";
import { checkCycleEligibility, createCycle, decideCycle, generateEntitlements, loadCycle, submitCycle, transitionCycle } from "../services/cycle.service";
import { CreateCycleInput } from "./inputs";
import { chunksArg, type EligibilityContext } from "./program.resolver";

export const EntitlementConnection = connectionTypes(Entitlement, "Entitlement");

@ObjectType({ description: "Totals of a cycle's entitlements (exact decimal strings)." })
export class CycleTotals {
  @Field(() => Int) entitlements!: number;
  @Field() totalAmount!: string;
  @Field() totalFee!: string;
}

const PAYABLE = [CycleState.APPROVED, CycleState.DISTRIBUTED];

@Resolver(() => Cycle)
export class CycleResolver {
  @Authorized("program:read")
  @Query(() => Cycle)
  async cycle(@Arg("id", () => ID) id: string, @Ctx() ctx: EligibilityContext): Promise<Cycle> {
    const found = await ctx.loaders.cycleById.load(id);
    if (!found || !canSee(ctx.viewer, found.programId)) throw notFound("Cycle", id);
    return found;
  }

  @Authorized("program:read")
  @Query(() => EntitlementConnection, { description: "A cycle's entitlements in any state (review)." })
  async cycleEntitlements(
    @Arg("cycleId", () => ID) cycleId: string,
    @Ctx() ctx: EligibilityContext,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    await loadCycle(ctx.em, ctx, cycleId);
    return keysetPage(ctx.em, Entitlement, { cycleId }, { first, after });
  }

  @Authorized("payment:read", "voucher:read")
  @Query(() => EntitlementConnection, { description: "What payments and vouchers act on: only an APPROVED (or DISTRIBUTED) cycle's entitlements." })
  async payableEntitlements(
    @Arg("cycleId", () => ID) cycleId: string,
    @Ctx() ctx: EligibilityContext,
    @Arg("first", () => Int, { nullable: true }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ) {
    const { cycle } = await loadCycle(ctx.em, ctx, cycleId);
    if (!PAYABLE.includes(cycle.state)) throw userError("CONFLICT", `Cycle ${cycleId} is ${cycle.state}: only approved cycles are paid`, { state: cycle.state });
    return keysetPage(ctx.em, Entitlement, { cycleId }, { first, after });
  }

  @Authorized("program:read")
  @Query(() => ProgramRun, { description: "Progress of an evaluation or generation run." })
  async programRun(@Arg("id", () => ID) id: string, @Ctx() ctx: EligibilityContext): Promise<ProgramRun> {
    const run = await ctx.loaders.runById.load(id);
    if (!run || !canSee(ctx.viewer, run.programId)) throw notFound("ProgramRun", id);
    return run;
  }

  @Authorized("program:write")
  @Mutation(() => Cycle)
  createCycle(@Arg("input", () => CreateCycleInput) input: CreateCycleInput, @Ctx() ctx: EligibilityContext) {
    return createCycle(ctx.em, ctx, input);
  }

  @Authorized("program:write")
  @Mutation(() => ProgramRun, { description: "Re-checks eligibility of every registrant for this cycle (ages as of its start date); a job." })
  checkCycleEligibility(@Arg("cycleId", () => ID) cycleId: string, @Ctx() ctx: EligibilityContext, @Arg("chunks", () => Int, { nullable: true }) chunks?: number) {
    return checkCycleEligibility(ctx.em, ctx, cycleId, chunksArg(chunks));
  }

  @Authorized("program:write")
  @Mutation(() => ProgramRun, { description: "Generates entitlements from the program's formula for its ENROLLED beneficiaries; re-running adds nothing twice." })
  generateEntitlements(@Arg("cycleId", () => ID) cycleId: string, @Ctx() ctx: EligibilityContext, @Arg("chunks", () => Int, { nullable: true }) chunks?: number) {
    return generateEntitlements(ctx.em, ctx, cycleId, chunksArg(chunks));
  }

  @Authorized("program:write")
  @Mutation(() => Cycle, { description: "DRAFT → TO_APPROVE (starts a new approval round)." })
  submitCycle(@Arg("cycleId", () => ID) cycleId: string, @Ctx() ctx: EligibilityContext) {
    return submitCycle(ctx.em, ctx, cycleId);
  }

  @Authorized("cycle:approve")
  @Mutation(() => Cycle, { description: "Approves the current stage; the last stage makes the cycle APPROVED." })
  approveCycle(@Arg("cycleId", () => ID) cycleId: string, @Ctx() ctx: EligibilityContext, @Arg("comment", () => String, { nullable: true }) comment?: string) {
    return decideCycle(ctx.em, ctx, cycleId, ApprovalDecision.APPROVED, comment ?? null);
  }

  @Authorized("cycle:approve")
  @Mutation(() => Cycle, { description: "Rejects at the current stage, with a reason: the cycle returns to DRAFT." })
  rejectCycle(@Arg("cycleId", () => ID) cycleId: string, @Arg("reason") reason: string, @Ctx() ctx: EligibilityContext) {
    return decideCycle(ctx.em, ctx, cycleId, ApprovalDecision.REJECTED, reason);
  }

  @Authorized("program:write")
  @Mutation(() => Cycle)
  cancelCycle(@Arg("cycleId", () => ID) cycleId: string, @Arg("reason") reason: string, @Ctx() ctx: EligibilityContext) {
    return transitionCycle(ctx.em, ctx, cycleId, "cancel", reason);
  }

  @Authorized("payment:write")
  @Mutation(() => Cycle, { description: "APPROVED → DISTRIBUTED, once payments or vouchers went out." })
  markCycleDistributed(@Arg("cycleId", () => ID) cycleId: string, @Ctx() ctx: EligibilityContext) {
    return transitionCycle(ctx.em, ctx, cycleId, "distribute", null);
  }

  @Authorized("program:write")
  @Mutation(() => Cycle)
  endCycle(@Arg("cycleId", () => ID) cycleId: string, @Ctx() ctx: EligibilityContext) {
    return transitionCycle(ctx.em, ctx, cycleId, "end", null);
  }

  @FieldResolver(() => Program)
  program(@Root() cycle: Cycle, @Ctx() ctx: EligibilityContext) {
    return ctx.loaders.programById.load(cycle.programId);
  }

  @FieldResolver(() => [CycleApproval])
  approvals(@Root() cycle: Cycle, @Ctx() ctx: EligibilityContext) {
    return ctx.loaders.approvalsByCycle.load(cycle.id);
  }

  @FieldResolver(() => CycleTotals, { description: "Entitlement count and amounts (dashboards)." })
  totals(@Root() cycle: Cycle, @Ctx() ctx: EligibilityContext) {
    return ctx.loaders.cycleTotals.load(cycle.id);
  }

  @FieldResolver(() => ProgramRun, { nullable: true })
  evaluationRun(@Root() cycle: Cycle, @Ctx() ctx: EligibilityContext) {
    return cycle.evaluationRunId ? ctx.loaders.runById.load(cycle.evaluationRunId) : null;
  }

  @FieldResolver(() => ProgramRun, { nullable: true })
  generationRun(@Root() cycle: Cycle, @Ctx() ctx: EligibilityContext) {
    return cycle.generationRunId ? ctx.loaders.runById.load(cycle.generationRunId) : null;
  }
}

const jobReads = new WeakMap<ProgramRun, Promise<JobRecord | null>>();

@Resolver(() => ProgramRun)
export class ProgramRunResolver {
  /** One job read per run and request, however many progress fields are asked for. */
  private job(run: ProgramRun, ctx: EligibilityContext) {
    let pending = jobReads.get(run);
    if (!pending) {
      pending = run.jobId ? ctx.jobs.get(run.jobId) : Promise.resolve(null);
      jobReads.set(run, pending);
    }
    return pending;
  }

  @FieldResolver(() => String, { description: "PENDING, RUNNING, COMPLETED or FAILED." })
  async status(@Root() run: ProgramRun, @Ctx() ctx: EligibilityContext) {
    return (await this.job(run, ctx))?.status ?? "PENDING";
  }

  @FieldResolver(() => Int)
  async totalChunks(@Root() run: ProgramRun, @Ctx() ctx: EligibilityContext) {
    return (await this.job(run, ctx))?.totalChunks ?? 0;
  }

  @FieldResolver(() => Int)
  async doneChunks(@Root() run: ProgramRun, @Ctx() ctx: EligibilityContext) {
    return (await this.job(run, ctx))?.doneChunks ?? 0;
  }

  @FieldResolver(() => Int)
  async failedChunks(@Root() run: ProgramRun, @Ctx() ctx: EligibilityContext) {
    return (await this.job(run, ctx))?.failedChunks ?? 0;
  }

  @FieldResolver(() => String, { nullable: true })
  async error(@Root() run: ProgramRun, @Ctx() ctx: EligibilityContext) {
    return (await this.job(run, ctx))?.error ?? null;
  }

  @FieldResolver(() => [Enrollment_], { description: "Registrants this run could not evaluate (first 100)." })
  failures(@Root() run: ProgramRun, @Ctx() ctx: EligibilityContext) {
    return ctx.em.find(Enrollment_, { lastRunId: run.id, evaluationError: { $ne: null } }, { orderBy: { registrantId: "asc" }, limit: 100 });
  }
}
