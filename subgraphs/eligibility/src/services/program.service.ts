import type { EntityManager } from "@mikro-orm/core";
import { assertCurrency, audit, badInput, isRole, notFound, userError, type AuditActor } from "@g2p/kit";
import { eligibilityConfig } from "../config";
import { Enrollment, EnrollmentState } from "../entities/enrollment.entity";
import { DEFAULT_STAGES, Program, type ApprovalStage, type BenefitKind, type TargetKind } from "../entities/program.entity";
import { actorId, assertManages, loadProgram } from "./access";
import { normaliseFormula, parseAmount, type EntitlementFormula } from "./formula";
import { assertExpression, celEnvironment, checkExpression, type Criterion, type RuleError, type Scoring } from "./rules";
import { fromMinorUnits } from "@g2p/kit";

export interface ProgramSettings {
  benefitKind?: BenefitKind | null;
  budget?: string | null;
  ministry?: string | null;
  managerRoles?: string[] | null;
  criteria?: Criterion[] | null;
  scoring?: Scoring | null;
  /** Set true to remove the scoring. */
  clearScoring?: boolean | null;
  entitlementFormula?: EntitlementFormula | null;
  approvalStages?: ApprovalStage[] | null;
}

function env() {
  return celEnvironment(eligibilityConfig().ELIGIBILITY_EXTRA_ATTRIBUTES);
}

/** Checks one expression without saving it (for editors): null when valid. */
export function validateExpression(expression: string, kind: "bool" | "number"): RuleError | null {
  return checkExpression(env(), expression, kind);
}

/** Validates settings; returns the fields to set (normalised) or throws a coded, located error. */
function validateSettings(input: ProgramSettings): Partial<Program> {
  const out: Partial<Program> = {};
  if (input.benefitKind != null) out.benefitKind = input.benefitKind;
  if (input.budget !== undefined) out.budget = input.budget === null ? null : fromMinorUnits(parseAmount(input.budget, "budget"));
  if (input.ministry !== undefined) {
    const m = input.ministry?.trim() ?? null;
    if (m !== null && m.length > 200) throw badInput("ministry must be at most 200 characters", "ministry");
    out.ministry = m || null;
  }
  if (input.managerRoles != null) {
    for (const r of input.managerRoles) if (!isRole(r)) throw badInput(`unknown role "${r}"`, "managerRoles");
    out.managerRoles = [...new Set(input.managerRoles)];
  }
  if (input.criteria != null) {
    if (input.criteria.length > 50) throw badInput("at most 50 criteria", "criteria");
    const names = new Set<string>();
    input.criteria.forEach((c, i) => {
      const name = c.name.trim();
      if (!name || name.length > 100) throw badInput("every criterion needs a name of 1 to 100 characters", `criteria[${i}].name`);
      if (names.has(name)) throw badInput(`criterion name "${name}" is used twice`, `criteria[${i}].name`);
      names.add(name);
      assertExpression(env(), c.expression, "bool", `criteria[${i}].expression`);
    });
    out.criteria = input.criteria.map((c) => ({ name: c.name.trim(), expression: c.expression }));
  }
  if (input.clearScoring) out.scoring = null;
  else if (input.scoring != null) {
    const s = input.scoring;
    if (s.parts.length === 0 || s.parts.length > 50) throw badInput("scoring needs 1 to 50 parts", "scoring.parts");
    for (const v of [s.intercept, s.threshold]) if (!Number.isFinite(v)) throw badInput("intercept and threshold must be finite numbers", "scoring");
    s.parts.forEach((p, i) => {
      if (!p.name.trim()) throw badInput("every score part needs a name", `scoring.parts[${i}].name`);
      if (!Number.isFinite(p.weight)) throw badInput("weight must be a finite number", `scoring.parts[${i}].weight`);
      assertExpression(env(), p.expression, "number", `scoring.parts[${i}].expression`);
    });
    out.scoring = {
      intercept: s.intercept,
      threshold: s.threshold,
      eligibleWhen: s.eligibleWhen,
      parts: s.parts.map((p) => ({ name: p.name.trim(), expression: p.expression, weight: p.weight })),
    };
  }
  if (input.entitlementFormula != null) out.entitlementFormula = normaliseFormula(input.entitlementFormula);
  if (input.approvalStages != null) {
    const stages = input.approvalStages;
    if (stages.length < 1 || stages.length > 5) throw badInput("1 to 5 approval stages", "approvalStages");
    stages.forEach((s, i) => {
      if (!s.name.trim()) throw badInput("every stage needs a name", `approvalStages[${i}].name`);
      if (!isRole(s.role)) throw badInput(`unknown role "${s.role}"`, `approvalStages[${i}].role`);
    });
    out.approvalStages = stages.map((s) => ({ name: s.name.trim(), role: s.role }));
  }
  return out;
}

export async function createProgram(
  em: EntityManager,
  actor: AuditActor,
  input: { name: string; target: TargetKind; currency: string } & ProgramSettings,
): Promise<Program> {
  const name = input.name.trim();
  if (!name || name.length > 200) throw badInput("name must be 1 to 200 characters", "name");
  const currency = assertCurrency(input.currency);
  const settings = validateSettings(input);
  return em.transactional(async (tx) => {
    const program = tx.create(Program, {
      name,
      target: input.target,
      currency,
      approvalStages: DEFAULT_STAGES,
      createdBy: actorId(actor),
      ...settings,
    });
    audit(tx, actor, { action: "program.create", entityType: "Program", entityId: program.id, changes: { name, target: input.target, currency, ...settings } });
    return program;
  });
}

export async function configureProgram(em: EntityManager, actor: AuditActor, programId: string, input: ProgramSettings): Promise<Program> {
  const program = await loadProgram(em, actor.viewer, programId);
  assertManages(actor.viewer, program);
  const settings = validateSettings(input);
  return em.transactional(async (tx) => {
    const p = await tx.findOneOrFail(Program, programId);
    const before: Record<string, unknown> = {};
    for (const k of Object.keys(settings)) before[k] = (p as unknown as Record<string, unknown>)[k];
    tx.assign(p, settings);
    audit(tx, actor, { action: "program.configure", entityType: "Program", entityId: p.id, changes: { from: before, to: settings } });
    return p;
  });
}

/** Enrolls a registrant in a program by hand; enrolling twice is refused (one enrollment per pair). */
export async function enroll(em: EntityManager, actor: AuditActor, programId: string, registrantId: string): Promise<Enrollment> {
  const program = await loadProgram(em, actor.viewer, programId);
  assertManages(actor.viewer, program);
  if (await em.findOne(Enrollment, { programId, registrantId })) {
    throw userError("CONFLICT", `Registrant ${registrantId} is already enrolled in program ${programId}`);
  }
  return em.transactional(async (tx) => {
    const enrollment = tx.create(Enrollment, { programId, registrantId, state: EnrollmentState.ENROLLED });
    audit(tx, actor, { action: "enrollment.create", entityType: "Enrollment", entityId: enrollment.id, changes: { programId, registrantId, state: enrollment.state } });
    return enrollment;
  });
}

/**
 * A manual decision on one enrollment, with a mandatory reason; audited. Later evaluations keep it
 * (they refresh the explanation, never the state of an overridden enrollment).
 */
export async function overrideEnrollment(
  em: EntityManager,
  actor: AuditActor,
  enrollmentId: string,
  state: EnrollmentState,
  reason: string,
): Promise<Enrollment> {
  const why = reason.trim();
  if (why.length < 3 || why.length > 1000) throw badInput("reason must be 3 to 1000 characters", "reason");
  const enrollment = await em.findOne(Enrollment, enrollmentId);
  if (!enrollment) throw notFound("Enrollment", enrollmentId);
  const program = await loadProgram(em, actor.viewer, enrollment.programId);
  assertManages(actor.viewer, program);
  if (enrollment.state === state) throw userError("CONFLICT", `Enrollment ${enrollmentId} is already ${state}`);
  return em.transactional(async (tx) => {
    const e = await tx.findOneOrFail(Enrollment, enrollmentId);
    const from = e.state;
    e.state = state;
    e.overrideReason = why;
    e.overriddenBy = actorId(actor);
    e.overriddenAt = new Date();
    audit(tx, actor, { action: "enrollment.override", entityType: "Enrollment", entityId: e.id, changes: { state: { from, to: state }, reason: why } });
    return e;
  });
}
