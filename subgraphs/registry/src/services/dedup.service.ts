/**
 * Deduplication. Exact: an identifier value is unique per type (a second registrant presenting it is
 * refused and pointed at the first). Fuzzy: pairs that share a blocking key (phonetic name token +
 * birth year, birth date + area, phone) are scored on names (Jaro-Winkler over token sets, so
 * swapped names match), birth date, phone and area with configurable weights; pairs at or above the
 * threshold become candidates with their reasons, to confirm (merge) or dismiss.
 */
import type { EntityManager } from "@mikro-orm/core";
import { audit, notFound, userError, type AuditActor } from "@g2p/kit";
import { DedupCandidate, DedupStatus } from "../entities/dedup-candidate.entity";
import { FinancialAddress } from "../entities/financial-address.entity";
import { Identifier } from "../entities/identifier.entity";
import { GroupMembership } from "../entities/membership.entity";
import { Registrant, RegistrantKind, RegistrantStatus } from "../entities/registrant.entity";
import { RegistrantKey } from "../entities/registrant-key.entity";
import { isBlockingKey, nameTokens, registrantKeys, tokenSetSimilarity } from "./normalize";
import type { DedupConfig } from "./settings.service";

export interface Comparable {
  id: string;
  givenName?: string | null;
  familyName?: string | null;
  otherNames?: string | null;
  birthDate?: string | null;
  primaryPhone?: string | null;
  adminAreaCode?: string | null;
}

const DAY = 86_400_000;

function dateSimilarity(a: string, b: string): { s: number; why: string } {
  if (a === b) return { s: 1, why: "same birthDate" };
  const days = Math.round(Math.abs(Date.parse(a) - Date.parse(b)) / DAY);
  if (a.slice(0, 4) === b.slice(0, 4) && a.slice(5, 7) === b.slice(8, 10) && a.slice(8, 10) === b.slice(5, 7)) return { s: 0.85, why: "birthDate day/month swapped" };
  if (days <= 31) return { s: 0.85, why: `birthDate ${days} days apart` };
  if (days <= 366) return { s: 0.5, why: `birthDate ${days} days apart` };
  return { s: 0, why: `birthDate ${Math.round(days / 365)} years apart` };
}

/** Score of a pair in [0, 1] with its reasons; evidence missing on either side is left out. */
export function scorePair(a: Comparable, b: Comparable, cfg: DedupConfig): { score: number; reasons: string[] } {
  const w = cfg.weights;
  let sum = 0;
  let weight = 0;
  const reasons: string[] = [];
  const ta = nameTokens(a.givenName, a.familyName, a.otherNames);
  const tb = nameTokens(b.givenName, b.familyName, b.otherNames);
  if (ta.length && tb.length && w.name > 0) {
    const s = Math.min(tokenSetSimilarity(ta, tb), tokenSetSimilarity(tb, ta));
    sum += w.name * s;
    weight += w.name;
    reasons.push(`name ${s.toFixed(2)}`);
  }
  if (a.birthDate && b.birthDate && w.birthDate > 0) {
    const d = dateSimilarity(a.birthDate, b.birthDate);
    sum += w.birthDate * d.s;
    weight += w.birthDate;
    reasons.push(d.why);
  }
  if (a.primaryPhone && b.primaryPhone && w.phone > 0) {
    const same = a.primaryPhone === b.primaryPhone;
    sum += w.phone * (same ? 1 : 0);
    weight += w.phone;
    reasons.push(same ? "same phone" : "different phone");
  }
  if (a.adminAreaCode && b.adminAreaCode && w.area > 0) {
    const same = a.adminAreaCode === b.adminAreaCode;
    sum += w.area * (same ? 1 : 0);
    weight += w.area;
    reasons.push(same ? "same area" : "different area");
  }
  return { score: weight ? sum / weight : 0, reasons };
}

/** Blocks larger than this are too common to be useful (e.g. one phonetic code + year in a city). */
export const MAX_BLOCK = 500;

/** Candidate pairs among `items`, compared only within shared blocks: never every pair. */
export function pairsInMemory(items: (Comparable & { keys: string[] })[], cfg: DedupConfig) {
  const blocks = new Map<string, number[]>();
  items.forEach((it, i) => {
    for (const k of it.keys) if (isBlockingKey(k)) (blocks.get(k) ?? blocks.set(k, []).get(k)!).push(i);
  });
  const seen = new Set<string>();
  const out: { a: string; b: string; score: number; reasons: string[] }[] = [];
  let comparisons = 0;
  for (const members of blocks.values()) {
    if (members.length < 2 || members.length > MAX_BLOCK) continue;
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        const A = items[members[x]!]!;
        const B = items[members[y]!]!;
        const key = A.id < B.id ? `${A.id}|${B.id}` : `${B.id}|${A.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        comparisons++;
        const { score, reasons } = scorePair(A, B, cfg);
        if (score >= cfg.threshold) out.push({ a: A.id < B.id ? A.id : B.id, b: A.id < B.id ? B.id : A.id, score, reasons });
      }
    }
  }
  return { pairs: out, comparisons };
}

function slices<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/**
 * Finds and stores candidates for the given individuals against the whole registry, through the
 * key table: one query for block partners, one for their data, one for existing pairs, one insert.
 */
export async function findCandidatesFor(em: EntityManager, subjects: { id: string; keys: string[] }[], cfg: DedupConfig): Promise<number> {
  const blockKeys = [...new Set(subjects.flatMap((s) => s.keys.filter(isBlockingKey)))];
  if (!blockKeys.length) return 0;
  const partnersByKey = new Map<string, string[]>();
  for (const part of slices(blockKeys, 5000)) {
    const rows = await em.find(RegistrantKey, { key: { $in: part } }, { fields: ["key", "registrantId"] });
    for (const r of rows) (partnersByKey.get(r.key) ?? partnersByKey.set(r.key, []).get(r.key)!).push(r.registrantId);
  }
  const pairs = new Map<string, [string, string]>();
  for (const s of subjects) {
    for (const k of s.keys) {
      const partners = partnersByKey.get(k);
      if (!partners || partners.length > MAX_BLOCK) continue;
      for (const p of partners) {
        if (p === s.id) continue;
        const [a, b] = s.id < p ? [s.id, p] : [p, s.id];
        pairs.set(`${a}|${b}`, [a, b]);
      }
    }
  }
  if (!pairs.size) return 0;
  const ids = [...new Set([...pairs.values()].flat())];
  const people = new Map<string, Comparable>();
  for (const part of slices(ids, 5000)) {
    const rows = await em.find(Registrant, { id: { $in: part }, kind: RegistrantKind.INDIVIDUAL, status: { $ne: RegistrantStatus.MERGED } }, {
      fields: ["id", "givenName", "familyName", "otherNames", "birthDate", "primaryPhone", "adminAreaCode"],
    });
    for (const r of rows) people.set(r.id, r);
  }
  const found: { a: string; b: string; score: number; reasons: string[] }[] = [];
  for (const [a, b] of pairs.values()) {
    const A = people.get(a);
    const B = people.get(b);
    if (!A || !B) continue;
    const { score, reasons } = scorePair(A, B, cfg);
    if (score >= cfg.threshold) found.push({ a, b, score, reasons });
  }
  if (!found.length) return 0;
  const existing = new Set<string>();
  for (const part of slices(found, 2000)) {
    const rows = await em.find(
      DedupCandidate,
      { registrantA: { $in: [...new Set(part.map((p) => p.a))] }, registrantB: { $in: [...new Set(part.map((p) => p.b))] } },
      { fields: ["registrantA", "registrantB"] },
    );
    for (const r of rows) existing.add(`${r.registrantA}|${r.registrantB}`);
  }
  const fresh = found.filter((p) => !existing.has(`${p.a}|${p.b}`));
  if (fresh.length) {
    await em.insertMany(
      DedupCandidate,
      fresh.map((p) => ({ id: crypto.randomUUID(), registrantA: p.a, registrantB: p.b, score: Math.round(p.score * 1000) / 1000, reasons: p.reasons, status: DedupStatus.PENDING, createdAt: new Date() })),
    );
  }
  return fresh.length;
}

/** Confirm: fold `duplicate` into `survivor` (identifiers, financial addresses, memberships), audited. */
export async function mergeCandidate(em: EntityManager, actor: AuditActor, candidateId: string, survivorId?: string | null): Promise<DedupCandidate> {
  return em.transactional(async (tx) => {
    const c = await tx.findOne(DedupCandidate, candidateId);
    if (!c) throw notFound("DedupCandidate", candidateId);
    if (c.status !== DedupStatus.PENDING) throw userError("CONFLICT", `candidate is already ${c.status}`, { reason: "CANDIDATE_DECIDED" });
    const keepId = survivorId ?? c.registrantA;
    if (keepId !== c.registrantA && keepId !== c.registrantB) throw userError("BAD_USER_INPUT", "survivorId must be one of the pair", { field: "survivorId" });
    const dropId = keepId === c.registrantA ? c.registrantB : c.registrantA;
    const [keep, drop] = await Promise.all([tx.findOneOrFail(Registrant, keepId), tx.findOneOrFail(Registrant, dropId)]);
    if (keep.status === RegistrantStatus.MERGED || drop.status === RegistrantStatus.MERGED) throw userError("CONFLICT", "one of the pair was already merged", { reason: "ALREADY_MERGED" });
    const [keepIds, dropIds, dropFas, dropMemberships, keepMemberships] = await Promise.all([
      tx.find(Identifier, { registrantId: keepId }),
      tx.find(Identifier, { registrantId: dropId }),
      tx.find(FinancialAddress, { registrantId: dropId }),
      tx.find(GroupMembership, { individualId: dropId, endDate: null }),
      tx.find(GroupMembership, { individualId: keepId, endDate: null }),
    ]);
    const keepTypes = new Set(keepIds.map((i) => i.type));
    const moved: Record<string, unknown> = { identifiers: [], financialAddresses: dropFas.length, memberships: 0 };
    for (const id of dropIds) {
      if (keepTypes.has(id.type)) continue;
      id.registrantId = keepId;
      (moved.identifiers as string[]).push(id.type);
    }
    for (const fa of dropFas) fa.registrantId = keepId;
    const keepGroups = new Set(keepMemberships.map((m) => m.groupId));
    const today = new Date().toISOString().slice(0, 10);
    for (const m of dropMemberships) {
      if (keepGroups.has(m.groupId)) m.endDate = today;
      else {
        m.individualId = keepId;
        (moved.memberships as number)++;
      }
    }
    // Fill what the survivor lacks.
    for (const f of ["birthDate", "sex", "addressLine", "adminAreaCode", "adminAreaPath", "otherNames", "disability"] as const) {
      if (keep[f] == null && drop[f] != null) (keep as unknown as Record<string, unknown>)[f] = drop[f];
    }
    keep.phones = [...new Set([...keep.phones, ...drop.phones])];
    keep.primaryPhone = keep.phones[0] ?? null;
    drop.status = RegistrantStatus.MERGED;
    drop.mergedIntoId = keepId;
    c.status = DedupStatus.CONFIRMED;
    c.decidedBy = actor.viewer.sub;
    await tx.nativeDelete(RegistrantKey, { registrantId: { $in: [dropId, keepId] } });
    const keepKeys = registrantKeys(keep);
    if (keepKeys.length) await tx.insertMany(RegistrantKey, keepKeys.map((key) => ({ key, registrantId: keepId })));
    await tx.nativeUpdate(
      DedupCandidate,
      { status: DedupStatus.PENDING, id: { $ne: c.id }, $or: [{ registrantA: dropId }, { registrantB: dropId }] },
      { status: DedupStatus.DISMISSED, decidedBy: `merge:${c.id}` },
    );
    audit(tx, actor, { action: "registrant.merge", entityType: "Registrant", entityId: keepId, changes: { absorbed: dropId, candidate: c.id, ...moved } });
    audit(tx, actor, { action: "registrant.merged_into", entityType: "Registrant", entityId: dropId, changes: { mergedInto: keepId, candidate: c.id } });
    return c;
  });
}

export async function dismissCandidate(em: EntityManager, actor: AuditActor, candidateId: string): Promise<DedupCandidate> {
  return em.transactional(async (tx) => {
    const c = await tx.findOne(DedupCandidate, candidateId);
    if (!c) throw notFound("DedupCandidate", candidateId);
    if (c.status !== DedupStatus.PENDING) throw userError("CONFLICT", `candidate is already ${c.status}`, { reason: "CANDIDATE_DECIDED" });
    c.status = DedupStatus.DISMISSED;
    c.decidedBy = actor.viewer.sub;
    audit(tx, actor, { action: "dedup.dismiss", entityType: "DedupCandidate", entityId: c.id, changes: { registrantA: c.registrantA, registrantB: c.registrantB } });
    return c;
  });
}
