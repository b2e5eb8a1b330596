import type { EntityManager } from "@mikro-orm/core";
import { loaderByKey, loaderGroupedBy } from "@g2p/kit";
import { Enrollment } from "./entities/enrollment.entity";
import { Program } from "./entities/program.entity";

export function createLoaders(em: EntityManager) {
  return {
    programById: loaderByKey(em, Program),
    enrollmentsByRegistrant: loaderGroupedBy(em, Enrollment, "registrantId", { createdAt: "asc" }),
  };
}
export type EligibilityLoaders = ReturnType<typeof createLoaders>;
