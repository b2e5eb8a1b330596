import { forbidden, notFound, type AuditActor, type Viewer } from "@g2p/kit";
import type { EntityManager } from "@mikro-orm/core";
import { Program } from "../entities/program.entity";

export function actorId(actor: AuditActor): string {
  return actor.viewer.sub ?? "anonymous";
}

/** A caller scoped to some programs (token `program_ids`) sees only those. */
export function canSee(viewer: Viewer, programId: string): boolean {
  return viewer.programIds.length === 0 || viewer.programIds.includes(programId);
}

export async function loadProgram(em: EntityManager, viewer: Viewer, programId: string): Promise<Program> {
  const program = await em.findOne(Program, programId);
  if (!program || !canSee(viewer, programId)) throw notFound("Program", programId);
  return program;
}

/** Managing a program needs program:write (checked by the resolver), its scope, and one of its manager roles. */
export function assertManages(viewer: Viewer, program: Program): void {
  if (!canSee(viewer, program.id)) throw forbidden(`Not scoped to program ${program.id}`);
  if (program.managerRoles.length > 0 && !viewer.roles.some((r) => r === "admin" || program.managerRoles.includes(r))) {
    throw forbidden(`Program ${program.id} is managed by: ${program.managerRoles.join(", ")}`);
  }
}
