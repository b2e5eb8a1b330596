import "reflect-metadata";
import { defineSubgraph } from "@g2p/kit";
import { Cycle, CycleApproval, Entitlement } from "./entities/cycle.entity";
import { Enrollment } from "./entities/enrollment.entity";
import { Program } from "./entities/program.entity";
import { ProgramRun } from "./entities/program-run.entity";
import { RegistrantRef } from "./entities/registrant-ref";
import { generationJob } from "./jobs/entitlements.job";
import { evaluationJob } from "./jobs/evaluation.job";
import { createLoaders, type EligibilityLoaders } from "./loaders";
import { migrations as postgresql } from "./migrations/postgresql";
import { migrations as sqlite } from "./migrations/sqlite";
import { CycleResolver, ProgramRunResolver } from "./resolvers/cycle.resolver";
import { EnrollmentResolver, ProgramResolver, RegistrantEnrollmentsResolver } from "./resolvers/program.resolver";

export { Program, TargetKind, BenefitKind } from "./entities/program.entity";
export { Enrollment, EnrollmentState } from "./entities/enrollment.entity";
export { Cycle, CycleState, Entitlement } from "./entities/cycle.entity";
export { setRegistrySource, resetRegistrySource, type RegistrySource, type RegistrantPage } from "./services/registry-source";
export { resetEligibilityConfig } from "./config";
export type { ProcessingRegistrant } from "./services/facts";
export { toFacts } from "./services/facts";
export { celEnvironment, compileProgram } from "./services/rules";

/** Eligibility: programs, rules and scoring, enrollments, cycles, entitlements, approvals. */
export const subgraph = defineSubgraph<EligibilityLoaders>({
  name: "eligibility",
  defaultPort: 4003,
  entities: [Program, Enrollment, Cycle, CycleApproval, Entitlement, ProgramRun],
  resolvers: [ProgramResolver, EnrollmentResolver, RegistrantEnrollmentsResolver, CycleResolver, ProgramRunResolver],
  orphanedTypes: [RegistrantRef],
  references: [
    { typeName: "Program", loader: (l) => l.programById },
    { typeName: "Cycle", loader: (l) => l.cycleById },
  ],
  createLoaders,
  migrations: { sqlite, postgresql },
  jobs: [evaluationJob, generationJob],
});
/** A generated population served like the registry's bulk contract (tests, benchmarks). */
export { Population } from "./testing/population";
