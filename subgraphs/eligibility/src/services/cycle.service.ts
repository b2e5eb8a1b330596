/**
 * Cycles: DRAFT → TO_APPROVE → APPROVED → DISTRIBUTED → ENDED, or CANCELLED; eligibility re-checked
 * and entitlements generated (as jobs) while DRAFT; multi-stage approval with segregation of duties.
 * Every transition is audited in the same transaction. No GraphQL here.
 */
import type { EntityManager } from "@mikro-orm/core";
import { audit, badInput, forbidden, notFound, userError, type AuditActor, type JobQueue } from "@g2p/kit";
import { eligibilityConfig } from "../config";
import { ApprovalDecision, Cycle, CycleApproval, CycleState } from "../entities/cycle.entity";
import { Program } from "../entities/program.entity";
import { ProgramRun, RunKind } from "../entities/program-run.entity";
import { EVALUATION_JOB, type EvaluationPayload } from "../jobs/evaluation.job";
import { GENERATION_JOB, type GenerationPayload } from "../jobs/entitlements.job";
import { actorId, assertManages, canSee, loadProgram } from "./access";
import { run as runSql, table } from "./sql";

type Actor = AuditActor & { jobs: JobQueue };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function assertDate(value: string, field: string): string {
  const d = new Date(`${value}T00:00:00Z`);
  if (!ISO_DATE.test(value) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    throw badInput(`${field} must be an ISO date (YYYY-MM-DD)`, field);
  }
  return value;
}

function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function wrongState(cycle: Cycle, action: string, allowed: CycleState[]) {
  return userError("CONFLICT", `Cannot ${action} cycle ${cycle.id}: it is ${cycle.state} (must be ${allowed.join(" or ")})`, {
    state: cycle.state,
  });
}

export async function loadCycle(em: EntityManager, actor: AuditActor, cycleId: string): Promise<{ cycle: Cycle; program: Program }> {
  const cycle = await em.findOne(Cycle, cycleId);
  if (!cycle || !canSee(actor.viewer, cycle.programId)) throw notFound("Cycle", cycleId);
  const program = await em.findOneOrFail(Program, cycle.programId);
  return { cycle, program };
}

export async function createCycle(
  em: EntityManager,
  actor: AuditActor,
  input: { programId: string; name: string; startDate: string; endDate: string },
): Promise<Cycle> {
  const program = await loadProgram(em, actor.viewer, input.programId);
  assertManages(actor.viewer, program);
  const name = input.name.trim();
  if (!name || name.length > 200) throw badInput("name must be 1 to 200 characters", "name");
  const startDate = assertDate(input.startDate, "startDate");
  const endDate = assertDate(input.endDate, "endDate");
  if (endDate < startDate) throw badInput("endDate must not be before startDate", "endDate");
  return em.transactional(async (tx) => {
    const cycle = tx.create(Cycle, { programId: program.id, name, startDate, endDate, createdBy: actorId(actor) });
    audit(tx, actor, { action: "cycle.create", entityType: "Cycle", entityId: cycle.id, changes: { programId: program.id, name, startDate, endDate } });
    return cycle;
  });
}

/** Starts an eligibility evaluation of a whole program (ad hoc, or a cycle's re-check). */
export async function startEvaluation(
  em: EntityManager,
  actor: Actor,
  programId: string,
  cycle: Cycle | null,
  chunks?: number,
  asOfDate: string | null = null,
): Promise<ProgramRun> {
  const program = await loadProgram(em, actor.viewer, programId);
  assertManages(actor.viewer, program);
  const cfg = eligibilityConfig();
  const asOf = cycle?.startDate ?? (asOfDate ? assertDate(asOfDate, "asOf") : new Date().toISOString().slice(0, 10));
  const run = await em.transactional(async (tx) => {
    const r = tx.create(ProgramRun, { kind: RunKind.EVALUATION, programId, cycleId: cycle?.id ?? null, asOf, createdBy: actorId(actor) });
    if (cycle) {
      const c = await tx.findOneOrFail(Cycle, cycle.id);
      if (c.state !== CycleState.DRAFT) throw wrongState(c, "re-check eligibility of", [CycleState.DRAFT]);
      c.evaluationRunId = r.id;
      c.generationRunId = null;
    }
    audit(tx, actor, { action: "eligibility.evaluate", entityType: cycle ? "Cycle" : "Program", entityId: cycle?.id ?? programId, changes: { runId: r.id, asOf } });
    return r;
  });
  const payload: EvaluationPayload = {
    runId: run.id,
    programId,
    target: program.target,
    criteria: program.criteria,
    scoring: program.scoring,
    asOf,
    chunks: chunks ?? cfg.ELIGIBILITY_JOB_CHUNKS,
    pageSize: cfg.REGISTRY_PAGE_SIZE,
  };
  const job = await actor.jobs.enqueue(EVALUATION_JOB, payload, { idempotencyKey: `eligibility-run:${run.id}` });
  run.jobId = job.id;
  await em.flush();
  return run;
}

export async function checkCycleEligibility(em: EntityManager, actor: Actor, cycleId: string, chunks?: number): Promise<ProgramRun> {
  const { cycle } = await loadCycle(em, actor, cycleId);
  if (cycle.state !== CycleState.DRAFT) throw wrongState(cycle, "re-check eligibility of", [CycleState.DRAFT]);
  return startEvaluation(em, actor, cycle.programId, cycle, chunks);
}

async function assertRunCompleted(em: EntityManager, jobs: JobQueue, runId: string | null, what: string): Promise<void> {
  const run = runId ? await em.findOne(ProgramRun, runId) : null;
  const job = run?.jobId ? await jobs.get(run.jobId) : null;
  if (!job || job.status !== "COMPLETED") {
    throw userError("CONFLICT", `${what} has not completed${job ? ` (it is ${job.status})` : ""}`);
  }
}

/** Generates the cycle's entitlements from its ENROLLED beneficiaries (after this cycle's eligibility re-check). */
export async function generateEntitlements(em: EntityManager, actor: Actor, cycleId: string, chunks?: number): Promise<ProgramRun> {
  const { cycle, program } = await loadCycle(em, actor, cycleId);
  assertManages(actor.viewer, program);
  if (cycle.state !== CycleState.DRAFT) throw wrongState(cycle, "generate entitlements of", [CycleState.DRAFT]);
  await assertRunCompleted(em, actor.jobs, cycle.evaluationRunId, "This cycle's eligibility re-check (checkCycleEligibility)");
  const run = await em.transactional(async (tx) => {
    const r = tx.create(ProgramRun, { kind: RunKind.ENTITLEMENTS, programId: program.id, cycleId, asOf: cycle.startDate, createdBy: actorId(actor) });
    const c = await tx.findOneOrFail(Cycle, cycleId);
    c.generationRunId = r.id;
    // Beneficiaries no longer ENROLLED (re-check, pause, exit, override) lose this DRAFT cycle's entitlement.
    const removed = await runSql(
      tx,
      `delete from ${table(tx, "entitlement")} where cycle_id = ? and not exists ` +
        `(select 1 from ${table(tx, "enrollment")} e where e.id = entitlement.enrollment_id and e.state = 'ENROLLED')`,
      [cycleId],
    );
    audit(tx, actor, {
      action: "cycle.generateEntitlements",
      entityType: "Cycle",
      entityId: cycleId,
      changes: { runId: r.id, formula: program.entitlementFormula, removedStale: removed },
    });
    return r;
  });
  const payload: GenerationPayload = {
    runId: run.id,
    cycleId,
    programId: program.id,
    currency: program.currency,
    formula: program.entitlementFormula,
    validFrom: cycle.startDate,
    validUntil: addDays(cycle.startDate, program.entitlementFormula.validityDays - 1),
    chunks: chunks ?? eligibilityConfig().ELIGIBILITY_JOB_CHUNKS,
  };
  const job = await actor.jobs.enqueue(GENERATION_JOB, payload, { idempotencyKey: `eligibility-run:${run.id}` });
  run.jobId = job.id;
  await em.flush();
  return run;
}

export async function submitCycle(em: EntityManager, actor: Actor, cycleId: string): Promise<Cycle> {
  const { cycle, program } = await loadCycle(em, actor, cycleId);
  assertManages(actor.viewer, program);
  if (cycle.state !== CycleState.DRAFT) throw wrongState(cycle, "submit", [CycleState.DRAFT]);
  await assertRunCompleted(em, actor.jobs, cycle.generationRunId, "Entitlement generation (generateEntitlements)");
  return em.transactional(async (tx) => {
    const c = await tx.findOneOrFail(Cycle, cycleId);
    c.state = CycleState.TO_APPROVE;
    c.round += 1;
    c.approvedStages = 0;
    c.submittedBy = actorId(actor);
    audit(tx, actor, { action: "cycle.submit", entityType: "Cycle", entityId: c.id, changes: { state: { from: CycleState.DRAFT, to: c.state }, round: c.round } });
    return c;
  });
}

/**
 * One approval decision at the cycle's current stage. The caller must hold the stage's role, must not
 * have created or submitted the cycle, and must not have approved an earlier stage of this round.
 */
export async function decideCycle(
  em: EntityManager,
  actor: Actor,
  cycleId: string,
  decision: ApprovalDecision,
  reason: string | null,
): Promise<Cycle> {
  const { cycle, program } = await loadCycle(em, actor, cycleId);
  const verb = decision === ApprovalDecision.APPROVED ? "approve" : "reject";
  if (cycle.state !== CycleState.TO_APPROVE) throw wrongState(cycle, verb, [CycleState.TO_APPROVE]);
  const why = reason?.trim() || null;
  if (decision === ApprovalDecision.REJECTED && (!why || why.length < 3)) throw badInput("a rejection needs a reason (3 characters or more)", "reason");
  const stages = program.approvalStages;
  const stageIndex = cycle.approvedStages;
  const stage = stages[stageIndex];
  if (!stage) throw userError("CONFLICT", `Cycle ${cycleId} has no pending approval stage`);
  const me = actorId(actor);
  if (!actor.viewer.roles.includes(stage.role as never)) {
    throw forbidden(`Stage ${stageIndex + 1} (${stage.name}) of cycle ${cycleId} is decided by role ${stage.role}`);
  }
  if (me === cycle.createdBy || me === cycle.submittedBy) {
    throw forbidden(`Segregation of duties: ${me} created or submitted cycle ${cycleId} and cannot ${verb} it`);
  }
  const earlier = await em.count(CycleApproval, { cycleId, round: cycle.round, actor: me, decision: ApprovalDecision.APPROVED });
  if (earlier > 0) throw forbidden(`Segregation of duties: ${me} already approved an earlier stage of cycle ${cycleId}`);
  return em.transactional(async (tx) => {
    const c = await tx.findOneOrFail(Cycle, cycleId);
    if (c.state !== CycleState.TO_APPROVE || c.approvedStages !== stageIndex || c.round !== cycle.round) {
      throw userError("CONFLICT", `Cycle ${cycleId} changed meanwhile; try again`);
    }
    tx.persist(tx.create(CycleApproval, { cycleId, round: c.round, stage: stageIndex, stageName: stage.name, role: stage.role, decision, actor: me, reason: why }));
    const from = c.state;
    if (decision === ApprovalDecision.APPROVED) {
      c.approvedStages += 1;
      if (c.approvedStages >= stages.length) c.state = CycleState.APPROVED;
    } else {
      c.state = CycleState.DRAFT;
      c.approvedStages = 0;
      c.rejectionReason = why;
    }
    audit(tx, actor, {
      action: decision === ApprovalDecision.APPROVED ? "cycle.approve" : "cycle.reject",
      entityType: "Cycle",
      entityId: c.id,
      changes: { stage: stageIndex, stageName: stage.name, round: c.round, state: { from, to: c.state }, reason: why },
    });
    return c;
  });
}

const TRANSITIONS: Record<"cancel" | "distribute" | "end", { from: CycleState[]; to: CycleState }> = {
  cancel: { from: [CycleState.DRAFT, CycleState.TO_APPROVE], to: CycleState.CANCELLED },
  distribute: { from: [CycleState.APPROVED], to: CycleState.DISTRIBUTED },
  end: { from: [CycleState.APPROVED, CycleState.DISTRIBUTED], to: CycleState.ENDED },
};

/** cancel (program manager), distribute (finance, after payments went out), end. */
export async function transitionCycle(
  em: EntityManager,
  actor: AuditActor,
  cycleId: string,
  action: keyof typeof TRANSITIONS,
  reason: string | null,
): Promise<Cycle> {
  const { cycle, program } = await loadCycle(em, actor, cycleId);
  if (action !== "distribute") assertManages(actor.viewer, program);
  const t = TRANSITIONS[action];
  if (!t.from.includes(cycle.state)) throw wrongState(cycle, action, t.from);
  if (action === "cancel" && (!reason || reason.trim().length < 3)) throw badInput("cancelling needs a reason (3 characters or more)", "reason");
  return em.transactional(async (tx) => {
    const c = await tx.findOneOrFail(Cycle, cycleId);
    if (!t.from.includes(c.state)) throw wrongState(c, action, t.from);
    const from = c.state;
    c.state = t.to;
    audit(tx, actor, { action: `cycle.${action}`, entityType: "Cycle", entityId: c.id, changes: { state: { from, to: c.state }, reason: reason?.trim() || null } });
    return c;
  });
}
