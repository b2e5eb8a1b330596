/**
 * The write path of the registry, shared by the API and every import: validate, then create or
 * update registrants (idempotent on source + sourceId), their identifiers, financial addresses and
 * memberships, their search/blocking keys and audit lines, in batches (a fixed number of queries
 * per batch, whatever its size).
 */
import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { audit, auditFields, notFound, userError, type AuditActor } from "@g2p/kit";
import { FinancialAddress } from "../entities/financial-address.entity";
import { Identifier } from "../entities/identifier.entity";
import { GroupMembership } from "../entities/membership.entity";
import { Registrant, RegistrantKind, RegistrationSource, RegistrantStatus } from "../entities/registrant.entity";
import { bulkSql } from "./bulk-sql";
import { timeOrderedId } from "./ids";
import { findCandidatesFor, type DedupSubject } from "./dedup.service";
import { deleteRegistrantKeys, insertRegistrantKeys, keySourceOf, type Keyed } from "./keys";
import { nameSortOf, registrantKeys } from "./normalize";
import { loadValidationContext } from "./settings.service";
import { toUserError, validateRegistrant, type CleanRegistrant, type FieldIssue, type FinancialAddressData, type RegistrantData } from "./validation";

export const HEAD = "HEAD";

export interface IntakeMember {
  sourceId?: string | null;
  data: RegistrantData;
  role?: string | null;
}

/** One input unit (an ODK submission, a CSV/JSON row, an API call): all of it lands, or none. */
export interface IntakeUnit {
  rowNo: number;
  /** The unit's own source id (for reporting). */
  sourceId?: string | null;
  source: RegistrationSource;
  group?: { sourceId?: string | null; data: RegistrantData } | null;
  members: IntakeMember[];
}

export interface UnitResult {
  rowNo: number;
  sourceId: string | null;
  issues: FieldIssue[];
  /** group first (if any), then members in order. */
  registrantIds: string[];
  created: number;
  updated: number;
  unchanged: number;
}

/** What deduplication scores a registrant on, as just written. */
function dedupSubject(r: Registrant) {
  return { id: r.id, givenName: r.givenName, familyName: r.familyName, otherNames: r.otherNames, birthDate: r.birthDate, primaryPhone: r.primaryPhone, adminAreaCode: r.adminAreaCode, status: r.status };
}

const TRACKED: (keyof CleanRegistrant & keyof Registrant)[] = [
  "groupKind", "givenName", "familyName", "otherNames", "groupName", "birthDate", "birthDateApproximate", "sex",
  "phones", "addressLine", "adminAreaCode", "adminAreaPath", "disability", "registrationDate", "extra",
];

/** JSON with object keys sorted (PostgreSQL jsonb does not keep key order). */
function stable(v: unknown): string {
  return JSON.stringify(v ?? null, (_k, x) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));
}

function same(a: unknown, b: unknown): boolean {
  return stable(a) === stable(b);
}

function slices<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

function sourceKey(source: string, id: string) {
  return `${source}\u0000${id}`;
}

/**
 * Writes a batch of units in the caller's transaction (`em`). Units with problems are reported and
 * skipped; the others land. Runs fuzzy deduplication for the individuals written when `dedup` is on.
 */
export async function writeUnits(em: EntityManager, actor: AuditActor, units: IntakeUnit[], opts: { dedup?: boolean } = {}): Promise<UnitResult[]> {
  const vc = await loadValidationContext(em);
  type Prepared = { unit: IntakeUnit; group: CleanRegistrant | null; members: CleanRegistrant[]; issues: FieldIssue[] };
  const prepared: Prepared[] = units.map((unit) => {
    const issues: FieldIssue[] = [];
    let group: CleanRegistrant | null = null;
    if (unit.group) {
      const g = validateRegistrant({ ...unit.group.data, kind: RegistrantKind.GROUP }, vc, "group.");
      issues.push(...g.issues);
      group = g.value ?? null;
    }
    const members: CleanRegistrant[] = [];
    unit.members.forEach((m, i) => {
      const prefix = unit.group ? `members[${i}].` : "";
      const v = validateRegistrant({ ...m.data, kind: RegistrantKind.INDIVIDUAL }, vc, prefix);
      issues.push(...v.issues);
      if (v.value) members.push(v.value);
    });
    const heads = unit.members.filter((m) => (m.role ?? "").toUpperCase() === HEAD).length;
    if (heads > 1) issues.push({ field: "members.role", reason: "SECOND_HEAD", message: `a household has at most one HEAD (${heads} given)` });
    return { unit, group, members, issues };
  });

  // Existing registrants by source id, identifiers by value, current memberships of known groups.
  const sourceIds = new Map<string, string[]>();
  const want = (source: string, id: string | null | undefined) => {
    if (!id) return;
    (sourceIds.get(source) ?? sourceIds.set(source, []).get(source)!).push(id);
  };
  for (const p of prepared) {
    want(p.unit.source, p.unit.group?.sourceId);
    for (const m of p.unit.members) want(p.unit.source, m.sourceId);
  }
  const existing = new Map<string, Registrant>();
  for (const [source, ids] of sourceIds) {
    for (const part of slices([...new Set(ids)], 2000)) {
      const rows = await em.find(Registrant, { source: source as RegistrationSource, sourceId: { $in: part } });
      for (const r of rows) existing.set(sourceKey(source, r.sourceId!), r);
    }
  }
  const idValues = [...new Set(prepared.flatMap((p) => [...(p.group?.identifiers ?? []), ...p.members.flatMap((m) => m.identifiers)].map((i) => i.value)))];
  const existingIds = new Map<string, Identifier>(); // type|value -> identifier
  const existingRegIds = [...existing.values()].map((r) => r.id);
  const idRows: Identifier[] = [];
  for (const part of slices(idValues, 2000)) idRows.push(...(await em.find(Identifier, { value: { $in: part } })));
  for (const part of slices(existingRegIds, 2000)) idRows.push(...(await em.find(Identifier, { registrantId: { $in: part } })));
  const idsByRegistrant = new Map<string, Map<string, Identifier>>();
  for (const row of idRows) {
    existingIds.set(`${row.type}|${row.value}`, row);
    (idsByRegistrant.get(row.registrantId) ?? idsByRegistrant.set(row.registrantId, new Map()).get(row.registrantId)!).set(row.type, row);
  }
  const groupIds = [...existing.values()].filter((r) => r.kind === RegistrantKind.GROUP).map((r) => r.id);
  const memberships = new Map<string, GroupMembership[]>();
  for (const part of slices(groupIds, 2000)) {
    for (const m of await em.find(GroupMembership, { groupId: { $in: part }, endDate: null })) {
      (memberships.get(m.groupId) ?? memberships.set(m.groupId, []).get(m.groupId)!).push(m);
    }
  }
  const fasToReplace: string[] = [];
  const keysBefore = new Map<string, Keyed>(); // registrants changed: what their stored keys come from

  // New rows are collected and inserted in bulk (multi-row INSERTs, no unit-of-work bookkeeping);
  // changes to existing rows go through the unit of work. Same transaction either way.
  const now = new Date();
  const bulk = { registrants: [] as Registrant[], identifiers: [] as object[], fas: [] as object[], memberships: [] as GroupMembership[], audits: [] as object[] };
  const createdIds = new Set<string>();
  const createAudits = new Map<string, { changes: Record<string, unknown> | null }>();
  // The same line kit's audit() writes, for rows inserted in bulk.
  const auditRow = (action: string, entityId: string, changes: Record<string, unknown>) => ({
    id: timeOrderedId(), at: now, ...auditFields(actor, { action, entityType: "Registrant", entityId, changes }),
  });
  const results: UnitResult[] = [];
  const keyed: (DedupSubject & { individual: boolean })[] = [];
  const claimed = new Map<string, string>(); // type|value -> source key claiming it in this batch

  for (const p of prepared) {
    const res: UnitResult = { rowNo: p.unit.rowNo, sourceId: p.unit.sourceId ?? null, issues: [...p.issues], registrantIds: [], created: 0, updated: 0, unchanged: 0 };
    results.push(res);
    if (res.issues.length) continue;
    const src = p.unit.source;
    const entries: { sourceId: string | null; clean: CleanRegistrant; prefix: string; role?: string | null }[] = [];
    if (p.group) entries.push({ sourceId: p.unit.group!.sourceId ?? null, clean: p.group, prefix: "group." });
    p.unit.members.forEach((m, i) => entries.push({ sourceId: m.sourceId ?? null, clean: p.members[i]!, prefix: p.unit.group ? `members[${i}].` : "", role: m.role }));

    // Exact duplicates: an identifier held by another registrant.
    for (const e of entries) {
      const self = e.sourceId ? existing.get(sourceKey(src, e.sourceId)) : undefined;
      e.clean.identifiers.forEach((idf, j) => {
        const key = `${idf.type}|${idf.value}`;
        const holder = existingIds.get(key);
        const claimer = claimed.get(key);
        const me = e.sourceId ? sourceKey(src, e.sourceId) : `row:${p.unit.rowNo}:${e.prefix}`;
        if ((holder && holder.registrantId !== self?.id) || (claimer && claimer !== me)) {
          res.issues.push({
            field: `${e.prefix}identifiers[${j}].value`,
            reason: "IDENTIFIER_TAKEN",
            message: `${idf.type} ${idf.value} already belongs to registrant ${holder?.registrantId ?? "in the same import"} (exact duplicate)`,
          });
        }
      });
    }
    // One head per household, counting heads already recorded.
    const groupRow = p.group && p.unit.group?.sourceId ? existing.get(sourceKey(src, p.unit.group.sourceId)) : undefined;
    const headIndex = entries.findIndex((e) => (e.role ?? "").toUpperCase() === HEAD);
    if (groupRow && headIndex >= 0) {
      const newHead = entries[headIndex]!;
      const newHeadId = newHead.sourceId ? existing.get(sourceKey(src, newHead.sourceId))?.id : undefined;
      const other = (memberships.get(groupRow.id) ?? []).find((m) => (m.role ?? "").toUpperCase() === HEAD && m.individualId !== newHeadId);
      if (other) res.issues.push({ field: `${newHead.prefix}role`, reason: "SECOND_HEAD", message: `household already has a HEAD (${other.individualId})` });
    }
    if (res.issues.length) continue;

    // Apply.
    let groupId: string | null = null;
    for (const e of entries) {
      const prior = e.sourceId ? existing.get(sourceKey(src, e.sourceId)) : undefined;
      const c = e.clean;
      const fields = {
        groupKind: c.groupKind, givenName: c.givenName, familyName: c.familyName, otherNames: c.otherNames, groupName: c.groupName,
        birthDate: c.birthDate, birthDateApproximate: c.birthDateApproximate, sex: c.sex, phones: c.phones, addressLine: c.addressLine,
        adminAreaCode: c.adminAreaCode, adminAreaPath: c.adminAreaPath, disability: c.disability, registrationDate: c.registrationDate ?? prior?.registrationDate ?? new Date().toISOString().slice(0, 10), extra: c.extra,
      };
      let reg: Registrant;
      let changed = true;
      if (prior) {
        reg = prior;
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        for (const f of TRACKED) if (!same(reg[f], fields[f as keyof typeof fields])) changes[f] = { from: reg[f], to: fields[f as keyof typeof fields] };
        const ids = idsByRegistrant.get(reg.id) ?? new Map<string, Identifier>();
        for (const idf of c.identifiers) {
          const cur = ids.get(idf.type);
          if (!cur || cur.value !== idf.value) changes[`identifier.${idf.type}`] = { from: cur?.value ?? null, to: idf.value };
        }
        changed = Object.keys(changes).length > 0;
        if (changed) {
          if (!keysBefore.has(reg.id)) keysBefore.set(reg.id, keySourceOf(reg));
          Object.assign(reg, fields);
          reg.primaryPhone = c.phones[0] ?? null;
          reg.nameSort = nameSortOf(reg);
          audit(em, actor, { action: "registrant.update", entityType: "Registrant", entityId: reg.id, changes: { source: src, ...changes } });
          res.updated++;
        } else res.unchanged++;
        for (const idf of c.identifiers) {
          const cur = ids.get(idf.type);
          if (cur && cur.value !== idf.value) cur.value = idf.value;
          else if (!cur) em.persist(em.create(Identifier, { registrantId: reg.id, type: idf.type, value: idf.value }));
        }
        if (c.financialAddresses.length && changed) fasToReplace.push(reg.id);
      } else {
        reg = {
          // A registrant's id stays a random (v4) UUID, unlike the rows below: other blocks split bulk
          // work into id ranges of equal width (eligibility's evaluation), which needs ids spread over
          // the whole space, and an id every partner sees must not tell when the person was registered.
          id: randomUUID(), kind: c.kind, ...fields, primaryPhone: c.phones[0] ?? null, source: src, sourceId: e.sourceId ?? null,
          status: RegistrantStatus.ACTIVE, mergedIntoId: null, nameSort: "", createdAt: now, updatedAt: now,
        } as Registrant;
        reg.nameSort = nameSortOf(reg);
        bulk.registrants.push(reg);
        createdIds.add(reg.id);
        for (const idf of c.identifiers) bulk.identifiers.push({ id: timeOrderedId(), registrantId: reg.id, type: idf.type, value: idf.value, createdAt: now });
        for (const fa of c.financialAddresses) bulk.fas.push({ id: timeOrderedId(), registrantId: reg.id, kind: fa.kind, iban: fa.iban ?? null, msisdn: fa.msisdn ?? null, walletId: fa.walletId ?? null, provider: fa.provider ?? null, primary: !!fa.primary, createdAt: now });
        const created = auditRow("registrant.create", reg.id, { source: src, sourceId: e.sourceId, kind: c.kind, ...fields, identifiers: c.identifiers, financialAddresses: c.financialAddresses.length });
        bulk.audits.push(created);
        createAudits.set(reg.id, created);
        if (e.sourceId) existing.set(sourceKey(src, e.sourceId), reg);
        res.created++;
      }
      for (const idf of c.identifiers) claimed.set(`${idf.type}|${idf.value}`, e.sourceId ? sourceKey(src, e.sourceId) : `row:${p.unit.rowNo}:${e.prefix}`);
      if (prior && changed && c.financialAddresses.length) {
        for (const fa of c.financialAddresses) em.persist(em.create(FinancialAddress, { registrantId: reg.id, ...fa, primary: !!fa.primary }));
      }
      if (!prior || changed) keyed.push({ ...dedupSubject(reg), keys: registrantKeys({ ...reg, primaryPhone: reg.primaryPhone }), individual: reg.kind === RegistrantKind.INDIVIDUAL });
      res.registrantIds.push(reg.id);
      if (c.kind === RegistrantKind.GROUP) groupId = reg.id;
      else if (groupId) {
        const current = memberships.get(groupId) ?? memberships.set(groupId, []).get(groupId)!;
        const role = e.role ? e.role.toUpperCase() : null;
        const m = current.find((x) => x.individualId === reg.id);
        if (m) {
          if (m.role !== role) m.role = role;
        } else {
          const nm = { id: timeOrderedId(), groupId, individualId: reg.id, role, startDate: now.toISOString().slice(0, 10), endDate: null, createdAt: now } as GroupMembership;
          bulk.memberships.push(nm);
          current.push(nm);
          // A member created by this write: its creation line records the membership (one audit
          // row per new person instead of two; each is an index entry the import pays for).
          const created = createAudits.get(reg.id);
          if (created?.changes) created.changes.membership = { groupId, role };
          else bulk.audits.push(auditRow("registrant.membership.add", reg.id, { groupId, role }));
        }
      }
    }
  }

  // Financial addresses given again on an update replace the old set (the new rows are not flushed yet).
  for (const part of slices(fasToReplace, 2000)) await em.nativeDelete(FinancialAddress, { registrantId: { $in: part } });
  await em.flush();
  // New rows: parameterised multi-row INSERTs with the values as the columns store them (no entity
  // processing and no values inlined into the SQL text: measured the largest CPU cost of an import).
  const sql = bulkSql(em);
  await sql.insert(
    "registrant",
    ["id", "kind", "group_kind", "given_name", "family_name", "other_names", "group_name", "name_sort", "birth_date", "birth_date_approximate", "sex", "phones", "primary_phone", "address_line", "admin_area_code", "admin_area_path", "disability", "status", "merged_into_id", "registration_date", "source", "source_id", "extra", "created_at", "updated_at"],
    bulk.registrants.map((r) => [
      r.id, r.kind, r.groupKind ?? null, r.givenName ?? null, r.familyName ?? null, r.otherNames ?? null, r.groupName ?? null, r.nameSort, r.birthDate ?? null, sql.bool(!!r.birthDateApproximate), r.sex ?? null,
      sql.json(r.phones ?? []), r.primaryPhone ?? null, r.addressLine ?? null, r.adminAreaCode ?? null, r.adminAreaPath ?? null, r.disability == null ? null : sql.bool(r.disability), r.status, r.mergedIntoId ?? null,
      r.registrationDate ?? null, r.source, r.sourceId ?? null, r.extra == null ? null : sql.json(r.extra), sql.date(r.createdAt), sql.date(r.updatedAt),
    ]),
  );
  type IdRow = { id: string; registrantId: string; type: string; value: string; createdAt: Date };
  await sql.insert("identifier", ["id", "registrant_id", "type", "value", "created_at"], (bulk.identifiers as IdRow[]).map((x) => [x.id, x.registrantId, x.type, x.value, sql.date(x.createdAt)]));
  type FaRow = { id: string; registrantId: string; kind: string; iban: string | null; msisdn: string | null; walletId: string | null; provider: string | null; primary: boolean; createdAt: Date };
  await sql.insert(
    "financial_address",
    ["id", "registrant_id", "kind", "iban", "msisdn", "wallet_id", "provider", "primary", "created_at"],
    (bulk.fas as FaRow[]).map((x) => [x.id, x.registrantId, x.kind, x.iban, x.msisdn, x.walletId, x.provider, sql.bool(x.primary), sql.date(x.createdAt)]),
  );
  await sql.insert(
    "group_membership",
    ["id", "group_id", "individual_id", "role", "start_date", "end_date", "created_at"],
    bulk.memberships.map((m) => [m.id, m.groupId, m.individualId, m.role ?? null, m.startDate ?? null, m.endDate ?? null, sql.date(m.createdAt)]),
  );
  type AuditRow = ReturnType<typeof auditRow>;
  await sql.insert(
    "audit_log",
    ["id", "at", "actor", "actor_roles", "action", "entity_type", "entity_id", "changes", "request_id", "ip"],
    (bulk.audits as AuditRow[]).map((a) => [a.id, sql.date(a.at), a.actor, a.actorRoles, a.action, a.entityType, a.entityId, sql.json(a.changes), a.requestId, a.ip]),
  );
  // Keys: rewrite for every registrant created or changed (the last version of each).
  const latest = new Map(keyed.map((k) => [k.id, k]));
  keyed.length = 0;
  keyed.push(...latest.values());
  const changedIds = keyed.map((k) => k.id).filter((id) => !createdIds.has(id));
  await deleteRegistrantKeys(em, changedIds.map((id) => keysBefore.get(id)!));
  // About eleven key rows per person (four of them name blocks), six per household.
  await insertRegistrantKeys(em, keyed);
  if (opts.dedup ?? vc.dedup.onImport) {
    const individuals = keyed.filter((k) => k.individual);
    if (individuals.length) {
      // Writers that deduplicate take turns from here to their commit. Two chunks in flight at once
      // (JOBS_CONCURRENCY > 1, several workers, an import beside API creates) cannot see each other's
      // uncommitted keys: without the lock a duplicate split across them was never compared. With it,
      // the later of two reads the earlier's keys, committed. Everything above (validation, the
      // registrant rows and their keys) still runs side by side. SQLite has one writer anyway.
      await lockDedup(em);
      await findCandidatesFor(em, individuals, vc.dedup);
    }
  }
  return results;
}

/** Transaction-scoped PostgreSQL advisory lock, one per registry schema (see writeUnits). */
async function lockDedup(em: EntityManager): Promise<void> {
  const sql = bulkSql(em);
  if (!sql.pg) return;
  await sql.run("select pg_advisory_xact_lock(hashtext(?))", [`g2p.dedup.${em.config.get("schema") ?? "public"}`]);
}

/** API create: one unit; a problem is a BAD_USER_INPUT (or CONFLICT) GraphQL error. */
export async function createRegistrant(em: EntityManager, actor: AuditActor, data: RegistrantData, opts: { groupId?: string | null; role?: string | null } = {}): Promise<Registrant> {
  return em.transactional(async (tx) => {
    const [res] = await writeUnits(tx, actor, [{ rowNo: 1, source: RegistrationSource.API, members: data.kind === RegistrantKind.GROUP ? [] : [{ data }], group: data.kind === RegistrantKind.GROUP ? { data } : null }]);
    if (res!.issues.length) {
      for (const i of res!.issues) i.field = i.field.replace(/^group\./, "");
      if (res!.issues[0]!.reason === "IDENTIFIER_TAKEN") throw userError("CONFLICT", res!.issues[0]!.message, { field: res!.issues[0]!.field, reason: "IDENTIFIER_TAKEN" });
      throw toUserError(res!.issues);
    }
    const reg = await tx.findOneOrFail(Registrant, res!.registrantIds[0]!);
    if (opts.groupId) await addMembership(tx, actor, opts.groupId, reg.id, opts.role ?? null);
    return reg;
  });
}

/** API update: the given fields replace the stored ones; validated like a create, audited with from/to. */
export async function updateRegistrant(em: EntityManager, actor: AuditActor, id: string, patch: Partial<RegistrantData>): Promise<Registrant> {
  return em.transactional(async (tx) => {
    const reg = await tx.findOne(Registrant, id);
    if (!reg || reg.status === RegistrantStatus.MERGED) throw notFound("Registrant", id);
    const vc = await loadValidationContext(tx);
    const current: RegistrantData = {
      kind: reg.kind, groupKind: reg.groupKind, givenName: reg.givenName, familyName: reg.familyName, otherNames: reg.otherNames, groupName: reg.groupName,
      birthDate: reg.birthDate, birthDateApproximate: reg.birthDateApproximate, sex: reg.sex, phones: reg.phones, addressLine: reg.addressLine,
      adminAreaCode: reg.adminAreaCode, adminAreaPath: reg.adminAreaPath ? reg.adminAreaPath.split("/").filter(Boolean) : null,
      disability: reg.disability, registrationDate: reg.registrationDate, extra: reg.extra,
    };
    const merged: RegistrantData = { ...current };
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
    if (patch.adminAreaCode !== undefined && patch.adminAreaPath === undefined) merged.adminAreaPath = null;
    const { value, issues } = validateRegistrant({ ...merged, identifiers: [], financialAddresses: [] }, vc);
    if (!value) throw toUserError(issues);
    const before = keySourceOf(reg);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const f of TRACKED) {
      const to = value[f];
      if (!same(reg[f], to)) {
        changes[f] = { from: reg[f], to };
        (reg as unknown as Record<string, unknown>)[f] = to;
      }
    }
    if (!Object.keys(changes).length) return reg;
    reg.primaryPhone = reg.phones[0] ?? null;
    reg.nameSort = nameSortOf(reg);
    audit(tx, actor, { action: "registrant.update", entityType: "Registrant", entityId: reg.id, changes });
    await tx.flush();
    await deleteRegistrantKeys(tx, [before]);
    const keys = registrantKeys(reg);
    await insertRegistrantKeys(tx, [{ id: reg.id, keys }]);
    if (reg.kind === RegistrantKind.INDIVIDUAL) await findCandidatesFor(tx, [{ ...dedupSubject(reg), keys }], vc.dedup);
    return reg;
  });
}

export async function addMembership(em: EntityManager, actor: AuditActor, groupId: string, individualId: string, role: string | null, startDate?: string | null): Promise<GroupMembership> {
  const [group, person] = await Promise.all([em.findOne(Registrant, groupId), em.findOne(Registrant, individualId)]);
  if (!group || group.kind !== RegistrantKind.GROUP) throw userError("BAD_USER_INPUT", `group ${groupId} not found`, { field: "groupId", reason: "NOT_FOUND" });
  if (!person || person.kind !== RegistrantKind.INDIVIDUAL) throw userError("BAD_USER_INPUT", `individual ${individualId} not found`, { field: "individualId", reason: "NOT_FOUND" });
  const current = await em.find(GroupMembership, { groupId, endDate: null });
  const r = role ? role.trim().toUpperCase() : null;
  if (current.some((m) => m.individualId === individualId)) throw userError("CONFLICT", "already a current member of this group", { field: "individualId", reason: "ALREADY_MEMBER" });
  if (r === HEAD && current.some((m) => m.role === HEAD)) throw userError("BAD_USER_INPUT", "a household has at most one HEAD", { field: "role", reason: "SECOND_HEAD" });
  const m = em.create(GroupMembership, { groupId, individualId, role: r, startDate: startDate ?? new Date().toISOString().slice(0, 10) });
  em.persist(m);
  audit(em, actor, { action: "registrant.membership.add", entityType: "Registrant", entityId: individualId, changes: { groupId, role: r } });
  await em.flush();
  return m;
}

export async function endMembership(em: EntityManager, actor: AuditActor, membershipId: string, endDate?: string | null): Promise<GroupMembership> {
  return em.transactional(async (tx) => {
    const m = await tx.findOne(GroupMembership, membershipId);
    if (!m) throw notFound("GroupMembership", membershipId);
    if (m.endDate) throw userError("CONFLICT", "membership already ended", { reason: "ALREADY_ENDED" });
    m.endDate = endDate ?? new Date().toISOString().slice(0, 10);
    audit(tx, actor, { action: "registrant.membership.end", entityType: "Registrant", entityId: m.individualId, changes: { groupId: m.groupId, endDate: m.endDate } });
    return m;
  });
}

export async function addIdentifier(em: EntityManager, actor: AuditActor, registrantId: string, type: string, value: string): Promise<Identifier> {
  return em.transactional(async (tx) => {
    const reg = await tx.findOne(Registrant, registrantId);
    if (!reg) throw notFound("Registrant", registrantId);
    const vc = await loadValidationContext(tx);
    const { value: clean, issues } = validateRegistrant({ kind: reg.kind, givenName: "x", groupName: reg.kind === RegistrantKind.GROUP ? "x" : null, identifiers: [{ type, value }] }, vc);
    if (!clean) throw toUserError(issues);
    const idf = clean.identifiers[0]!;
    const taken = await tx.findOne(Identifier, { type: idf.type, value: idf.value });
    if (taken) throw userError("CONFLICT", `${idf.type} ${idf.value} already belongs to a registrant`, { field: "value", reason: "IDENTIFIER_TAKEN" });
    if (await tx.findOne(Identifier, { registrantId, type: idf.type })) throw userError("CONFLICT", `registrant already has a ${idf.type}`, { field: "type", reason: "ONE_PER_TYPE" });
    const row = tx.create(Identifier, { registrantId, type: idf.type, value: idf.value });
    tx.persist(row);
    audit(tx, actor, { action: "registrant.identifier.add", entityType: "Registrant", entityId: registrantId, changes: { type: idf.type, value: idf.value } });
    return row;
  });
}

export async function addFinancialAddress(em: EntityManager, actor: AuditActor, registrantId: string, data: FinancialAddressData): Promise<FinancialAddress> {
  return em.transactional(async (tx) => {
    const reg = await tx.findOne(Registrant, registrantId);
    if (!reg) throw notFound("Registrant", registrantId);
    const vc = await loadValidationContext(tx);
    const { value: clean, issues } = validateRegistrant({ kind: reg.kind, givenName: "x", groupName: reg.kind === RegistrantKind.GROUP ? "x" : null, financialAddresses: [data] }, vc);
    if (!clean) throw toUserError(issues);
    const fa = clean.financialAddresses[0]!;
    if (fa.primary) await tx.nativeUpdate(FinancialAddress, { registrantId }, { primary: false });
    const row = tx.create(FinancialAddress, { registrantId, kind: fa.kind, iban: fa.iban, msisdn: fa.msisdn, walletId: fa.walletId, provider: fa.provider, primary: !!fa.primary });
    tx.persist(row);
    audit(tx, actor, { action: "registrant.financial_address.add", entityType: "Registrant", entityId: registrantId, changes: { kind: fa.kind, iban: fa.iban, msisdn: fa.msisdn, walletId: fa.walletId, provider: fa.provider } });
    return row;
  });
}
