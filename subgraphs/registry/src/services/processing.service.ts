import type { EntityManager } from "@mikro-orm/core";
import { RegistrantKind, RegistrantStatus } from "../entities/registrant.entity";

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

type Row = Record<string, unknown>;

function tableOf(em: EntityManager, name: string): string {
  const schema = em.config.get("schema");
  return em.getPlatform().constructor.name.toLowerCase().includes("postgre") && schema ? `"${schema}"."${name}"` : name;
}

async function rows(em: EntityManager, sql: string, params: unknown[]): Promise<Row[]> {
  return (await em.getConnection().execute(sql, params, "all", em.getTransactionContext())) as Row[];
}

const bool = (v: unknown): boolean | null => (v == null ? null : v === true || v === 1 || v === "1" || v === "t" || v === "true");
const str = (v: unknown): string | null => (v == null ? null : String(v));
const json = (v: unknown): Record<string, unknown> | null => (v == null ? null : typeof v === "string" ? (JSON.parse(v) as Record<string, unknown>) : (v as Record<string, unknown>));
const marks = (n: number) => new Array(n).fill("?").join(", ");

/**
 * One page of the bulk stream, by primary key (an index seek, however deep the page), with current
 * memberships and members: four queries per page whatever its size. MERGED registrants are skipped.
 * Raw rows with only the columns the contract carries (no entity hydration: pages of thousands).
 */
export async function processingPage(em: EntityManager, args: { first: number; after?: string | null; kind?: RegistrantKind | null }) {
  const registrant = tableOf(em, "registrant");
  const membership = tableOf(em, "group_membership");
  const where = ["status <> ?"];
  const params: unknown[] = [RegistrantStatus.MERGED];
  if (args.after) {
    where.push("id > ?");
    params.push(args.after);
  }
  if (args.kind) {
    where.push("kind = ?");
    params.push(args.kind);
  }
  params.push(args.first + 1);
  const found = await rows(em, `select id, kind, birth_date, sex, disability, admin_area_code, extra from ${registrant} where ${where.join(" and ")} order by id asc limit ?`, params);
  const page = found.slice(0, args.first);
  const groupIds = page.filter((r) => r.kind === RegistrantKind.GROUP).map((r) => String(r.id));
  const individualIds = page.filter((r) => r.kind === RegistrantKind.INDIVIDUAL).map((r) => String(r.id));
  const memberCols = "group_id, individual_id, role";
  const order = "order by created_at asc, id asc";
  // One after the other: inside a transaction both would share one connection.
  const groupMemberships = groupIds.length ? await rows(em, `select ${memberCols} from ${membership} where group_id in (${marks(groupIds.length)}) and end_date is null ${order}`, groupIds) : [];
  const ownMemberships = individualIds.length ? await rows(em, `select ${memberCols} from ${membership} where individual_id in (${marks(individualIds.length)}) and end_date is null ${order}`, individualIds) : [];
  const memberIds = [...new Set(groupMemberships.map((m) => String(m.individual_id)))];
  const members = memberIds.length ? await rows(em, `select id, birth_date, sex, disability from ${registrant} where id in (${marks(memberIds.length)})`, memberIds) : [];
  const memberById = new Map(members.map((m) => [String(m.id), m]));
  const groupOf = new Map<string, string>();
  for (const m of ownMemberships) if (!groupOf.has(String(m.individual_id))) groupOf.set(String(m.individual_id), String(m.group_id));
  const membersOf = new Map<string, ProcessingRow["members"]>();
  for (const m of groupMemberships) {
    const p = memberById.get(String(m.individual_id));
    const list = membersOf.get(String(m.group_id)) ?? membersOf.set(String(m.group_id), []).get(String(m.group_id))!;
    list!.push({ id: String(m.individual_id), role: str(m.role), birthDate: str(p?.birth_date), sex: str(p?.sex), disability: bool(p?.disability) });
  }
  const nodes: ProcessingRow[] = page.map((r) => {
    const id = String(r.id);
    const kind = r.kind as RegistrantKind;
    return {
      id,
      kind,
      birthDate: str(r.birth_date),
      sex: str(r.sex),
      disability: bool(r.disability),
      adminAreaCode: str(r.admin_area_code),
      groupId: kind === RegistrantKind.INDIVIDUAL ? (groupOf.get(id) ?? null) : null,
      members: kind === RegistrantKind.GROUP ? (membersOf.get(id) ?? []) : null,
      extra: json(r.extra),
    };
  });
  return { nodes, endCursor: page.length ? String(page.at(-1)!.id) : null, hasNextPage: found.length > args.first };
}
