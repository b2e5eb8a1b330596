import type { EntityManager } from "@mikro-orm/core";
import { assertCurrency, audit, badInput, notFound, userError, type AuditActor } from "@g2p/kit";
import { Enrollment, EnrollmentState } from "../entities/enrollment.entity";
import { Program, type TargetKind } from "../entities/program.entity";

export async function createProgram(
  em: EntityManager,
  actor: AuditActor,
  input: { name: string; target: TargetKind; currency: string },
): Promise<Program> {
  const name = input.name.trim();
  if (!name || name.length > 200) throw badInput("name must be 1 to 200 characters", "name");
  const currency = assertCurrency(input.currency);
  return em.transactional(async (tx) => {
    const program = tx.create(Program, { name, target: input.target, currency });
    audit(tx, actor, { action: "program.create", entityType: "Program", entityId: program.id, changes: { name, target: input.target, currency } });
    return program;
  });
}

/** Enrolls a registrant in a program; enrolling twice is refused (one enrollment per pair). */
export async function enroll(em: EntityManager, actor: AuditActor, programId: string, registrantId: string): Promise<Enrollment> {
  if (!(await em.findOne(Program, programId))) throw notFound("Program", programId);
  if (await em.findOne(Enrollment, { programId, registrantId })) {
    throw userError("CONFLICT", `Registrant ${registrantId} is already enrolled in program ${programId}`);
  }
  return em.transactional(async (tx) => {
    const enrollment = tx.create(Enrollment, { programId, registrantId, state: EnrollmentState.ENROLLED });
    audit(tx, actor, { action: "enrollment.create", entityType: "Enrollment", entityId: enrollment.id, changes: { programId, registrantId, state: enrollment.state } });
    return enrollment;
  });
}
