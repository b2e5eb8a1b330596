import "reflect-metadata";
import { defineSubgraph } from "@g2p/kit";
import { RegistrantRef } from "./entities/registrant-ref";
import { Enrollment } from "./entities/enrollment.entity";
import { Program } from "./entities/program.entity";
import { createLoaders, type EligibilityLoaders } from "./loaders";
import { migrations as postgresql } from "./migrations/postgresql";
import { migrations as sqlite } from "./migrations/sqlite";
import { EnrollmentResolver, ProgramResolver, RegistrantEnrollmentsResolver } from "./resolvers/program.resolver";

export { Program, TargetKind } from "./entities/program.entity";
export { Enrollment, EnrollmentState } from "./entities/enrollment.entity";

/** Eligibility: programs and enrollments (rules, scoring, cycles and approvals grow here). */
export const subgraph = defineSubgraph<EligibilityLoaders>({
  name: "eligibility",
  defaultPort: 4003,
  entities: [Program, Enrollment],
  resolvers: [ProgramResolver, EnrollmentResolver, RegistrantEnrollmentsResolver],
  orphanedTypes: [RegistrantRef],
  references: [{ typeName: "Program", loader: (l) => l.programById }],
  createLoaders,
  migrations: { sqlite, postgresql },
});
