import type { EntityManager } from "@mikro-orm/core";
import { audit, badInput, keysetPage, type AuditActor } from "@g2p/kit";
import { Registrant, RegistrantKind } from "../entities/registrant.entity";

export interface NewRegistrant {
  kind: RegistrantKind;
  givenName?: string | null;
  familyName?: string | null;
  groupName?: string | null;
}

const MAX_NAME = 200;

function cleanName(value: string | null | undefined, field: string): string | null {
  if (value == null) return null;
  const trimmed = value.trim();
  if (trimmed.length === 0) return null;
  if (trimmed.length > MAX_NAME) throw badInput(`${field} is longer than ${MAX_NAME} characters`, field);
  return trimmed;
}

/** Validates and stores a registrant, with its audit line, in one transaction. */
export async function createRegistrant(em: EntityManager, actor: AuditActor, input: NewRegistrant): Promise<Registrant> {
  const givenName = cleanName(input.givenName, "givenName");
  const familyName = cleanName(input.familyName, "familyName");
  const groupName = cleanName(input.groupName, "groupName");
  if (input.kind === RegistrantKind.INDIVIDUAL && !givenName && !familyName) {
    throw badInput("An individual needs a given or a family name", "givenName");
  }
  if (input.kind === RegistrantKind.GROUP && !groupName) throw badInput("A group needs a groupName", "groupName");
  if (input.kind === RegistrantKind.INDIVIDUAL && groupName) throw badInput("groupName is for groups only", "groupName");

  return em.transactional(async (tx) => {
    const registrant = tx.create(Registrant, { kind: input.kind, givenName, familyName, groupName });
    audit(tx, actor, {
      action: "registrant.create",
      entityType: "Registrant",
      entityId: registrant.id,
      changes: { kind: input.kind, givenName, familyName, groupName },
    });
    return registrant;
  });
}

export function listRegistrants(em: EntityManager, args: { first?: number | null; after?: string | null; kind?: RegistrantKind | null }) {
  return keysetPage(em, Registrant, args.kind ? { kind: args.kind } : {}, args);
}
