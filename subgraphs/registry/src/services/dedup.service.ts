/**
 * Deduplication. Exact: an identifier value is unique per type (a second registrant presenting it is
 * refused and pointed at the first). Fuzzy: pairs that share a blocking key (phonetic name token +
 * birth date within a window, birth date + area, phone) are scored on names (Jaro-Winkler over token sets, so
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
import { bulkSql } from "./bulk-sql";
import { deleteRegistrantKeys, insertRegistrantKeys, keySourceOf } from "./keys";
import { timeOrderedId } from "./ids";
import { blockDateRange, FIRST_LETTERS, dateBuckets, isBlockingKey, nameTokens, parseBirthKey, registrantKeys, tokenSetSimilarity } from "./normalize";
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
  return scorePairAbove(a, b, cfg, -Infinity)!;
}

/**
 * `scorePair`, but null as soon as the pair provably cannot reach `floor`: the cheap evidence (birth
 * date, phone, area) is scored first and the name similarity (Jaro-Winkler, the expensive part) is
 * bounded by 1; only pairs whose upper bound reaches `floor` pay for it. Same score and reasons.
 */
export function scorePairAbove(a: Comparable, b: Comparable, cfg: DedupConfig, floor: number): { score: number; reasons: string[] } | null {
  const w = cfg.weights;
  // Parts are added in the same order as always (name, birth date, phone, area): identical floats.
  let cheap = 0;
  let cheapWeight = 0;
  let date: { s: number; why: string } | null = null;
  let phone: boolean | null = null;
  let area: boolean | null = null;
  if (a.birthDate && b.birthDate && w.birthDate > 0) {
    date = dateSimilarity(a.birthDate, b.birthDate);
    cheap += w.birthDate * date.s;
    cheapWeight += w.birthDate;
  }
  if (a.primaryPhone && b.primaryPhone && w.phone > 0) {
    phone = a.primaryPhone === b.primaryPhone;
    cheap += w.phone * (phone ? 1 : 0);
    cheapWeight += w.phone;
  }
  if (a.adminAreaCode && b.adminAreaCode && w.area > 0) {
    area = a.adminAreaCode === b.adminAreaCode;
    cheap += w.area * (area ? 1 : 0);
    cheapWeight += w.area;
  }
  const mayHaveNames = !!(a.givenName || a.familyName || a.otherNames) && !!(b.givenName || b.familyName || b.otherNames) && w.name > 0;
  if (floor > -Infinity) {
    // Upper bound: a perfect name match (a tiny margin keeps float rounding on the safe side).
    const bound = mayHaveNames ? (cheap + w.name) / (cheapWeight + w.name) : cheapWeight ? cheap / cheapWeight : 0;
    if (bound < floor - 1e-9) return null;
  }
  let sum = 0;
  let weight = 0;
  const reasons: string[] = [];
  if (mayHaveNames) {
    const ta = nameTokens(a.givenName, a.familyName, a.otherNames);
    const tb = nameTokens(b.givenName, b.familyName, b.otherNames);
    if (ta.length && tb.length) {
      const s = Math.min(tokenSetSimilarity(ta, tb), tokenSetSimilarity(tb, ta));
      sum += w.name * s;
      weight += w.name;
      reasons.push(`name ${s.toFixed(2)}`);
    }
  }
  if (date) {
    sum += w.birthDate * date.s;
    weight += w.birthDate;
    reasons.push(date.why);
  }
  if (phone !== null) {
    sum += w.phone * (phone ? 1 : 0);
    weight += w.phone;
    reasons.push(phone ? "same phone" : "different phone");
  }
  if (area !== null) {
    sum += w.area * (area ? 1 : 0);
    weight += w.area;
    reasons.push(area ? "same area" : "different area");
  }
  return { score: weight ? sum / weight : 0, reasons };
}

/** Blocks larger than this are too common to be useful (e.g. one phonetic code + year in a city). */
export const MAX_BLOCK = 500;

/**
 * The name blocks a `b:` key's holder is compared in: its code and letter; for a single-token name
 * (empty letter), its code with every first letter; a first-letter key also meets the single-token
 * names of its code (`b:<code>::…`). Last-letter keys (lower case) meet only their own block.
 */
function nameBlocksOf(code: string, letter: string): string[] {
  if (!letter) return [`${code}:`, ...FIRST_LETTERS.map((l) => `${code}:${l}`)];
  return letter === letter.toUpperCase() ? [`${code}:${letter}`, `${code}:`] : [`${code}:${letter}`];
}

/** Candidate pairs among `items`, compared only within shared blocks: never every pair. */
export function pairsInMemory(items: (Comparable & { keys: string[] })[], cfg: DedupConfig) {
  // Block -> members; a name block also records whether the member holds it itself (`own`) or only
  // reaches it (a single-token name reaching every letter, a two-token name reaching single tokens):
  // a pair shares a block when at least one of the two holds it.
  const blocks = new Map<string, { i: number; own: boolean }[]>();
  const add = (block: string, i: number, own: boolean) => (blocks.get(block) ?? blocks.set(block, []).get(block)!).push({ i, own });
  items.forEach((it, i) => {
    for (const k of it.keys) {
      if (!isBlockingKey(k)) continue;
      // A name-and-birth-date key blocks with the same code in either 365-day bucket of the date.
      const b = parseBirthKey(k);
      if (!b) add(k, i, true);
      else for (const bucket of dateBuckets(b.birthDate)) nameBlocksOf(b.code, b.letter).forEach((nb, j) => add(`n:${nb}:${bucket}`, i, j === 0));
    }
  });
  const seen = new Set<string>();
  const out: { a: string; b: string; score: number; reasons: string[] }[] = [];
  let comparisons = 0;
  for (const members of blocks.values()) {
    if (members.length < 2 || members.filter((m) => m.own).length > MAX_BLOCK) continue;
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        if (!members[x]!.own && !members[y]!.own) continue;
        const A = items[members[x]!.i]!;
        const B = items[members[y]!.i]!;
        if (A.id === B.id) continue;
        const key = A.id < B.id ? `${A.id}|${B.id}` : `${B.id}|${A.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        comparisons++;
        const scored = scorePairAbove(A, B, cfg, cfg.threshold);
        if (scored && scored.score >= cfg.threshold) out.push({ a: A.id < B.id ? A.id : B.id, b: A.id < B.id ? B.id : A.id, score: scored.score, reasons: scored.reasons });
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

type PartnerRow = { t: number | string; block: number | string | null; id: string; kind: string | null; status: string | null; given_name: string | null; family_name: string | null; other_names: string | null; birth_date: string | null; primary_phone: string | null; admin_area_code: string | null };

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/**
 * The birth-date window a partner must fall in to possibly reach the threshold, from the weights: the
 * best score a pair can have with birth-date similarity `s` is (every other weight + w·s) / (all
 * weights). Returns the smallest similarity that can still pass (0 = the birth date cannot rule out).
 */
export function minDateSimilarity(cfg: DedupConfig): number {
  const w = cfg.weights;
  if (!(w.birthDate > 0)) return 0;
  const others = Math.max(0, w.name) + Math.max(0, w.phone) + Math.max(0, w.area);
  for (const s of [0, 0.5, 0.85, 1]) if ((others + w.birthDate * s) / (others + w.birthDate) >= cfg.threshold - 1e-9) return s;
  return 1;
}

/** [lo, hi, swapped] of the partners' birth dates worth comparing with `birthDate` (see dateSimilarity), or nulls for "any". */
function dateWindow(birthDate: string | null | undefined, minSimilarity: number): [string | null, string | null, string | null] {
  const m = birthDate ? ISO_DATE.exec(birthDate) : null;
  if (!m || minSimilarity <= 0 || Number.isNaN(Date.parse(`${birthDate}T00:00:00Z`))) return [null, null, null];
  const days = minSimilarity >= 1 ? 0 : minSimilarity > 0.5 ? 31 : 366;
  const swapped = Number(m[3]) <= 12 && minSimilarity < 1 ? `${m[1]}-${m[3]}-${m[2]}` : null;
  return [addDays(birthDate!, -days), addDays(birthDate!, days), swapped];
}

/**
 * One range of the key index to read for a subject: `[klo, khi]`, then (exact keys only) the
 * partner's birth date must fall in `[lo, hi]` or equal `sw` (nulls: any). `capped` ranges are
 * `b:` blocks, skipped when they hold more than MAX_BLOCK partners.
 */
type Probe = { sid: string; klo: string; khi: string; lo: string | null; hi: string | null; sw: string | null; capped: boolean };

/**
 * The probes of one subject. A `b:<code>:<letter>:<date>` key reads its name blocks (`nameBlocksOf`)
 * with the birth dates that share a 365-day bucket with the subject's, narrowed to the window the
 * weights allow, plus the day/month-swapped date when it lies in the bucket: the exact partners the
 * in-memory blocks lead to, without reading the rest of the block. `d:` and `ph:` keys are read
 * whole and filtered on the partner's birth date.
 */
function probesOf(s: DedupSubject, minSim: number, usableExact: Set<string>): Probe[] {
  const [lo, hi, sw] = dateWindow(s.birthDate, minSim);
  const out: Probe[] = [];
  const ranges = new Set<string>();
  for (const k of new Set(s.keys)) {
    const b = parseBirthKey(k);
    if (!b) {
      if (usableExact.has(k)) out.push({ sid: s.id, klo: k, khi: k, lo, hi, sw, capped: false });
      continue;
    }
    const block = blockDateRange(b.birthDate);
    if (!block) continue;
    const from = lo && lo > block[0] ? lo : block[0];
    const to = hi && hi < block[1] ? hi : block[1];
    for (const nb of nameBlocksOf(b.code, b.letter)) {
      // Two keys of one subject reach the same single-token block: read it once.
      if (ranges.has(nb)) continue;
      ranges.add(nb);
      if (from <= to) out.push({ sid: s.id, klo: `b:${nb}:${from}`, khi: `b:${nb}:${to}`, lo: null, hi: null, sw: null, capped: true });
      if (sw && sw >= block[0] && sw <= block[1] && (sw < from || sw > to)) out.push({ sid: s.id, klo: `b:${nb}:${sw}`, khi: `b:${nb}:${sw}`, lo: null, hi: null, sw: null, capped: true });
    }
  }
  return out;
}

/**
 * Finds and stores candidates for the given individuals against the whole registry, through the
 * key table, in a fixed number of statements per batch (not per subject): the size of each exact
 * block (`d:`, `ph:`; over MAX_BLOCK is skipped), the block partners with what scoring reads (one
 * range read of the key index per subject and key), existing pairs, one insert. The name blocks are
 * `b:<code>:<birth date>` ranges narrowed to the birth-date window the configured weights allow
 * (`minDateSimilarity`), so the database reads only partners that may pass; pairs whose cheap
 * evidence rules them out are not name-scored (`scorePairAbove`). Rows are plain (no entities),
 * values are bound parameters, lists travel as one JSON parameter.
 */
/** A registrant just written, with its keys and what scoring reads (from memory: no read-back). */
export type DedupSubject = Comparable & { keys: string[]; status?: string | null };

export async function findCandidatesFor(em: EntityManager, subjects: DedupSubject[], cfg: DedupConfig): Promise<number> {
  const sql = bulkSql(em);
  const exactKeys = [...new Set(subjects.flatMap((s) => s.keys.filter((k) => isBlockingKey(k) && !k.startsWith("b:"))))];
  // 1. Exact block sizes (index only): a block larger than MAX_BLOCK is too common to tell anything.
  // PostgreSQL counts each probe's key rows in the partner read instead (below): its count here
  // visited the heap for every key row written moments ago (not yet all-visible), 126 s of a
  // 100,000-submission import.
  const usable = new Set<string>(sql.pg ? exactKeys : []);
  for (const part of sql.pg ? [] : slices(exactKeys, 5000)) {
    const rows = await sql.all<{ key: string; c: number | string }>(`select key, count(*) as c from ${sql.table("registrant_key")} where key in (${sql.jsonList}) group by key`, [JSON.stringify(part)]);
    for (const r of rows) if (Number(r.c) <= MAX_BLOCK) usable.add(r.key);
  }
  // 2. Partners per probe, with what scoring reads.
  const minSim = minDateSimilarity(cfg);
  const probes = subjects.flatMap((s) => probesOf(s, minSim, usable));
  if (!probes.length) return 0;
  const probeRows = sql.pg
    ? "select (e->>0)::int as t, e->>1 as klo, e->>2 as khi, e->>3 as lo, e->>4 as hi, e->>5 as sw, (e->>6)::uuid as sid from jsonb_array_elements(?::jsonb) e"
    : "select json_extract(value, '$[0]') as t, json_extract(value, '$[1]') as klo, json_extract(value, '$[2]') as khi, json_extract(value, '$[3]') as lo, json_extract(value, '$[4]') as hi, json_extract(value, '$[5]') as sw, json_extract(value, '$[6]') as sid from json_each(?)";
  // Subjects are scored from the values just written; partners from the rows read.
  // Per probe: a range read of the key index, then the partner's row by primary key. PostgreSQL
  // cannot estimate a range bound that comes from a JSON parameter (it guesses a third of the
  // index) and would hash-join a full scan of the registry per chunk: LATERAL ... OFFSET 0 keeps
  // the nested index loop, and JIT (triggered by those estimates) is off for the transaction.
  // On PostgreSQL each probe reads at most MAX_BLOCK + 1 key rows and says how many it read (`block`).
  const partnerJoin = sql.pg
    ? `cross join lateral (select k1.registrant_id, count(*) over () as block from (select k.registrant_id from ${sql.table("registrant_key")} k where k.key >= s.klo and k.key <= s.khi and k.registrant_id <> s.sid limit ${MAX_BLOCK + 1}) k1) k ` +
      `cross join lateral (select * from ${sql.table("registrant")} r0 where r0.id = k.registrant_id offset 0) r`
    : `join ${sql.table("registrant_key")} k on k.key >= s.klo and k.key <= s.khi and k.registrant_id <> s.sid join ${sql.table("registrant")} r on r.id = k.registrant_id`;
  if (sql.pg) await sql.run("set local jit = off");
  const people = new Map<string, Comparable>();
  for (const s of subjects) if (s.status !== RegistrantStatus.MERGED) people.set(s.id, { id: s.id, givenName: s.givenName, familyName: s.familyName, otherNames: s.otherNames, birthDate: s.birthDate, primaryPhone: s.primaryPhone, adminAreaCode: s.adminAreaCode });
  const partnersOf = new Map<string, Set<string>>();
  const PROBES_PER_STATEMENT = 4000;
  for (let from = 0; from < probes.length; from += PROBES_PER_STATEMENT) {
    const part = probes.slice(from, from + PROBES_PER_STATEMENT);
    const rows = await sql.all<PartnerRow>(
      `select s.t, ${sql.pg ? "k.block" : "null as block"}, r.id, r.kind, r.status, r.given_name, r.family_name, r.other_names, r.birth_date, r.primary_phone, r.admin_area_code from (${probeRows}) s ${partnerJoin} ` +
        `where (s.lo is null or r.birth_date is null or (r.birth_date >= s.lo and r.birth_date <= s.hi) or r.birth_date = s.sw)`,
      [JSON.stringify(part.map((p, i) => [from + i, p.klo, p.khi, p.lo, p.hi, p.sw, p.sid]))],
    );
    const byProbe = new Map<number, PartnerRow[]>();
    for (const r of rows) {
      const t = Number(r.t);
      (byProbe.get(t) ?? byProbe.set(t, []).get(t)!).push(r);
    }
    for (const [t, found] of byProbe) {
      const probe = probes[t]!;
      // A name block this crowded even within the birth-date window tells nothing (see MAX_BLOCK).
      if (probe.capped && found.length > MAX_BLOCK) continue;
      if (found.some((r) => Number(r.block) > MAX_BLOCK)) continue;
      const mine = partnersOf.get(probe.sid) ?? partnersOf.set(probe.sid, new Set()).get(probe.sid)!;
      for (const r of found) {
        const id = String(r.id);
        mine.add(id);
        if (r.kind === RegistrantKind.INDIVIDUAL && r.status !== RegistrantStatus.MERGED && !people.has(id)) {
          people.set(id, { id, givenName: r.given_name, familyName: r.family_name, otherNames: r.other_names, birthDate: r.birth_date, primaryPhone: r.primary_phone, adminAreaCode: r.admin_area_code });
        }
      }
    }
  }
  const seen = new Set<string>();
  const found: { a: string; b: string; score: number; reasons: string[] }[] = [];
  for (const s of subjects) {
    for (const p of partnersOf.get(s.id) ?? []) {
      if (p === s.id) continue;
      const [a, b] = s.id < p ? [s.id, p] : [p, s.id];
      const pair = `${a}|${b}`;
      if (seen.has(pair)) continue;
      seen.add(pair);
      const A = people.get(a);
      const B = people.get(b);
      if (!A || !B) continue;
      const scored = scorePairAbove(A, B, cfg, cfg.threshold);
      if (scored && scored.score >= cfg.threshold) found.push({ a, b, score: scored.score, reasons: scored.reasons });
    }
  }
  if (!found.length) return 0;
  // 3. Pairs already stored (from an earlier import or decision) are kept as they are.
  const existing = new Set<string>();
  for (const part of slices(found, 2000)) {
    const rows = await sql.all<{ registrant_a: string; registrant_b: string }>(
      `select registrant_a, registrant_b from ${sql.table("dedup_candidate")} where registrant_a in (${sql.idList}) and registrant_b in (${sql.idList})`,
      [JSON.stringify([...new Set(part.map((p) => p.a))]), JSON.stringify([...new Set(part.map((p) => p.b))])],
    );
    for (const r of rows) existing.add(`${r.registrant_a}|${r.registrant_b}`);
  }
  const fresh = found.filter((p) => !existing.has(`${p.a}|${p.b}`));
  // 4. One multi-row insert.
  const now = new Date();
  await sql.insert(
    "dedup_candidate",
    ["id", "registrant_a", "registrant_b", "score", "reasons", "status", "created_at"],
    fresh.map((p) => [timeOrderedId(now.getTime()), p.a, p.b, Math.round(p.score * 1000) / 1000, sql.json(p.reasons), DedupStatus.PENDING, sql.date(now)]),
  );
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
    // The stored keys come from the values as they are now (see keys.ts).
    const keysBefore = { keep: keySourceOf(keep), drop: keySourceOf(drop) };
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
    await deleteRegistrantKeys(tx, [keysBefore.keep, keysBefore.drop]);
    await insertRegistrantKeys(tx, [{ id: keepId, keys: registrantKeys(keep) }]);
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
