import type { EntityManager } from "@mikro-orm/core";
import { loaderByKey, loaderGroupedBy } from "@g2p/kit";
import DataLoader from "dataloader";
import { Cycle, CycleApproval } from "./entities/cycle.entity";
import { Enrollment } from "./entities/enrollment.entity";
import { Program } from "./entities/program.entity";
import { ProgramRun } from "./entities/program-run.entity";
import { cycleTotals, enrollmentCountsByProgram } from "./services/report.service";

export function createLoaders(em: EntityManager) {
  return {
    programById: loaderByKey(em, Program),
    cycleById: loaderByKey(em, Cycle),
    runById: loaderByKey(em, ProgramRun),
    enrollmentsByRegistrant: loaderGroupedBy(em, Enrollment, "registrantId", { createdAt: "asc" }),
    cyclesByProgram: loaderGroupedBy(em, Cycle, "programId", { createdAt: "asc" }),
    approvalsByCycle: loaderGroupedBy(em, CycleApproval, "cycleId", { at: "asc" }),
    enrollmentCounts: new DataLoader((ids: readonly string[]) => enrollmentCountsByProgram(em, ids)),
    cycleTotals: new DataLoader((ids: readonly string[]) => cycleTotals(em, ids)),
  };
}
export type EligibilityLoaders = ReturnType<typeof createLoaders>;
