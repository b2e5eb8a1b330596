import type { EntityManager, FilterQuery } from "@mikro-orm/core";
import { GroupMembership } from "../entities/membership.entity";
import { Registrant, RegistrantKind, RegistrantStatus } from "../entities/registrant.entity";

export interface ProcessingRow {
  id: string;
  kind: RegistrantKind;
  birthDate: string | null;
  sex: string | null;
  disability: boolean | null;
  adminAreaCode: string | null;
  groupId: string | null;
  members: { id: string; role: string | null; birthDate: string | null; sex: string | null; disability: boolean | null }[] | null;
  extra: Record<string, unknown> | null;
}

/**
 * One page of the bulk stream, by primary key (an index seek, however deep the page), with current
 * memberships and members: four queries per page whatever its size. MERGED registrants are skipped.
 */
export async function processingPage(em: EntityManager, args: { first: number; after?: string | null; kind?: RegistrantKind | null }) {
  const where: FilterQuery<Registrant> = { status: { $ne: RegistrantStatus.MERGED } };
  if (args.after) where.id = { $gt: args.after };
  if (args.kind) where.kind = args.kind;
  const rows = await em.find(Registrant, where, { orderBy: { id: "asc" }, limit: args.first + 1 });
  const page = rows.slice(0, args.first);
  const groupIds = page.filter((r) => r.kind === RegistrantKind.GROUP).map((r) => r.id);
  const individualIds = page.filter((r) => r.kind === RegistrantKind.INDIVIDUAL).map((r) => r.id);
  const [groupMemberships, ownMemberships] = await Promise.all([
    groupIds.length ? em.find(GroupMembership, { groupId: { $in: groupIds }, endDate: null }, { orderBy: { createdAt: "asc", id: "asc" } }) : [],
    individualIds.length ? em.find(GroupMembership, { individualId: { $in: individualIds }, endDate: null }, { orderBy: { createdAt: "asc", id: "asc" } }) : [],
  ]);
  const memberIds = [...new Set(groupMemberships.map((m) => m.individualId))];
  const members = memberIds.length ? await em.find(Registrant, { id: { $in: memberIds } }, { fields: ["id", "birthDate", "sex", "disability"] }) : [];
  const memberById = new Map(members.map((m) => [m.id, m]));
  const groupOf = new Map<string, string>();
  for (const m of ownMemberships) if (!groupOf.has(m.individualId)) groupOf.set(m.individualId, m.groupId);
  const membersOf = new Map<string, ProcessingRow["members"]>();
  for (const m of groupMemberships) {
    const p = memberById.get(m.individualId);
    const list = membersOf.get(m.groupId) ?? membersOf.set(m.groupId, []).get(m.groupId)!;
    list!.push({ id: m.individualId, role: m.role ?? null, birthDate: p?.birthDate ?? null, sex: p?.sex ?? null, disability: p?.disability ?? null });
  }
  const nodes: ProcessingRow[] = page.map((r) => ({
    id: r.id,
    kind: r.kind,
    birthDate: r.birthDate ?? null,
    sex: r.sex ?? null,
    disability: r.disability ?? null,
    adminAreaCode: r.adminAreaCode ?? null,
    groupId: r.kind === RegistrantKind.INDIVIDUAL ? (groupOf.get(r.id) ?? null) : null,
    members: r.kind === RegistrantKind.GROUP ? (membersOf.get(r.id) ?? []) : null,
    extra: r.extra ?? null,
  }));
  return { nodes, endCursor: page.at(-1)?.id ?? null, hasNextPage: rows.length > args.first };
}
