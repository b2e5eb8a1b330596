import type { EntityManager } from "@mikro-orm/core";
import { AuditEntry, loaderByKey, loaderGroupedBy } from "@g2p/kit";
import DataLoader from "dataloader";
import { FinancialAddress } from "./entities/financial-address.entity";
import { Identifier } from "./entities/identifier.entity";
import { GroupMembership } from "./entities/membership.entity";
import { Registrant } from "./entities/registrant.entity";

/** Per-request loaders: every relation of a page of registrants costs one query, however long the page. */
export function createLoaders(em: EntityManager) {
  return {
    registrantById: loaderByKey(em, Registrant),
    identifiersByRegistrant: loaderGroupedBy(em, Identifier, "registrantId", { type: "asc" }),
    financialAddressesByRegistrant: loaderGroupedBy(em, FinancialAddress, "registrantId", { createdAt: "asc" }),
    membershipsByGroup: loaderGroupedBy(em, GroupMembership, "groupId", { createdAt: "asc" }),
    membershipsByIndividual: loaderGroupedBy(em, GroupMembership, "individualId", { createdAt: "asc" }),
    historyByRegistrant: new DataLoader<string, AuditEntry[]>(async (ids) => {
      const rows = await em.find(AuditEntry, { entityType: "Registrant", entityId: { $in: [...ids] } }, { orderBy: { at: "asc", id: "asc" } });
      const by = new Map<string, AuditEntry[]>(ids.map((i) => [i, []]));
      for (const r of rows) by.get(r.entityId)?.push(r);
      return ids.map((i) => by.get(i)!);
    }),
  };
}
export type RegistryLoaders = ReturnType<typeof createLoaders>;
