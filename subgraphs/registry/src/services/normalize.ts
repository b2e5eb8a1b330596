/**
 * Name normalisation, a phonetic code, Jaro-Winkler similarity and the search / blocking keys of a
 * registrant. Pure functions: the same on SQLite and PostgreSQL, and unit-testable.
 */

/** Lower-case ASCII letters only, diacritics folded ("Njéri-Wa" -> "njeriwa" per token). */
export function nameTokens(...parts: (string | null | undefined)[]): string[] {
  const out: string[] = [];
  for (const part of parts) {
    if (!part) continue;
    const folded = part.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
    for (const t of folded.split(/[^a-z]+/)) if (t.length > 0) out.push(t);
  }
  return out;
}

/**
 * A compact phonetic code (Metaphone-like): spelling variants that sound alike share a code
 * ("Mohamed", "Muhammad", "Mohammed" -> "MHMT"; "Catherine", "Kathryn" -> "KTRN").
 */
export function phonetic(token: string): string {
  let s = token.toLowerCase().replace(/[^a-z]/g, "");
  if (!s) return "";
  s = s
    .replace(/^kn|^gn|^pn|^wr/, (m) => m[1]!)
    .replace(/^x/, "s")
    .replace(/ph/g, "f")
    .replace(/sch/g, "sk")
    .replace(/ck/g, "k")
    .replace(/th/g, "t")
    .replace(/dg/g, "j")
    .replace(/c(?=[eiy])/g, "s")
    .replace(/c/g, "k")
    .replace(/q/g, "k")
    .replace(/x/g, "ks")
    .replace(/z/g, "s")
    .replace(/v/g, "f")
    .replace(/d/g, "t")
    .replace(/gh(?![aeiou])/g, "")
    .replace(/h(?![aeiou])/g, "");
  if (!s) return token.slice(0, 1).toUpperCase();
  const first = "aeiouy".includes(s[0]!) ? "A" : s[0]!.toUpperCase();
  let code = first;
  let prev = first.toLowerCase();
  for (let i = 1; i < s.length; i++) {
    const ch = s[i]!;
    if ("aeiouyhw".includes(ch)) {
      prev = ch;
      continue;
    }
    if (ch !== prev) code += ch.toUpperCase();
    prev = ch;
  }
  return code.slice(0, 6);
}

/** Jaro-Winkler similarity in [0, 1]. */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length ? 1 : 0;
  if (!a.length || !b.length) return 0;
  const range = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const aMatch = new Array<boolean>(a.length).fill(false);
  const bMatch = new Array<boolean>(b.length).fill(false);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const lo = Math.max(0, i - range);
    const hi = Math.min(i + range + 1, b.length);
    for (let j = lo; j < hi; j++) {
      if (bMatch[j] || a[i] !== b[j]) continue;
      aMatch[i] = bMatch[j] = true;
      matches++;
      break;
    }
  }
  if (!matches) return 0;
  let t = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (!aMatch[i]) continue;
    while (!bMatch[k]) k++;
    if (a[i] !== b[k]) t++;
    k++;
  }
  const jaro = (matches / a.length + matches / b.length + (matches - t / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/**
 * Similarity of two token lists, order-insensitive (swapped given/family names score as equal):
 * each token of the shorter list is matched to its best partner, averaged.
 */
export function tokenSetSimilarity(a: string[], b: string[]): number {
  if (!a.length || !b.length) return 0;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  let sum = 0;
  for (const t of short) {
    let best = 0;
    for (const u of long) best = Math.max(best, jaroWinkler(t, u));
    // A token with no close partner (another name, not a typo) counts against the pair.
    sum += best >= 0.8 ? best : best / 2;
  }
  return sum / short.length;
}

export interface KeySource {
  kind: "INDIVIDUAL" | "GROUP";
  givenName?: string | null;
  familyName?: string | null;
  otherNames?: string | null;
  groupName?: string | null;
  birthDate?: string | null;
  adminAreaCode?: string | null;
  adminAreaPath?: string | null;
  primaryPhone?: string | null;
}

/**
 * Keys stored in registrant_key: search (p:, a:) and deduplication blocks (b:, d:, ph:).
 *
 * An exact-token search needs no key of its own: it reads the token's phonetic key (`p:`) and
 * checks the token on the registrant's `name_sort` (every key row is an index entry each write pays
 * for; the former `t:` keys were two of about eleven per person).
 */
export function registrantKeys(r: KeySource): string[] {
  const keys = new Set<string>();
  const tokens = r.kind === "GROUP" ? nameTokens(r.groupName) : nameTokens(r.givenName, r.familyName, r.otherNames);
  for (const t of tokens) keys.add(`p:${phonetic(t)}`);
  if (r.kind === "INDIVIDUAL" && r.birthDate && isIsoDay(r.birthDate)) for (const key of birthKeys(tokens, r.birthDate)) keys.add(key);
  if (r.kind === "INDIVIDUAL" && r.birthDate) keys.add(`d:${r.birthDate}:${r.adminAreaCode ?? ""}`.slice(0, 200));
  if (r.primaryPhone) keys.add(`ph:${r.primaryPhone}`);
  for (const area of (r.adminAreaPath ?? "").split("/")) if (area) keys.add(`a:${area}`.slice(0, 200));
  if (r.adminAreaCode) keys.add(`a:${r.adminAreaCode}`.slice(0, 200));
  return [...keys];
}

/**
 * The name-and-birth-date blocking keys of an individual: `b:<code>:<letter>:<birth date>`, two per
 * ordered pair of its distinct name tokens: the code of one with the other's first letter as written
 * (upper case) and with its last letter (lower case); `b:<code>::<birth date>` for a single-token
 * name. Two people share a block when one token sounds alike and the other starts, or ends, with the
 * same letter: one keystroke error in a token changes at most one of its two end letters (a typo in
 * the first letter changes the token's code too, and the last-letter key still holds the pair).
 * Swapped names hold the same keys. A single-token name is compared with every first letter
 * (`findCandidatesFor`). Blocking on the code alone put everyone born within the date window under
 * the same code in the block: ~31 partners per person at 300,000 people, linear in the registry.
 */
export function birthKeys(tokens: string[], iso: string): string[] {
  const distinct = [...new Set(tokens)].filter((t) => phonetic(t));
  if (distinct.length === 1) return [birthKey(phonetic(distinct[0]!), "", iso)];
  const out = new Set<string>();
  for (const a of distinct) {
    for (const b of distinct) {
      if (a === b) continue;
      out.add(birthKey(phonetic(a), b[0]!.toUpperCase(), iso));
      out.add(birthKey(phonetic(a), b[b.length - 1]!, iso));
    }
  }
  return [...out];
}

const DAY_MS = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
function isIsoDay(v: string): boolean {
  return ISO_DAY.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));
}
function isoOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Two overlapping partitions of time into 365-day buckets, offset by half a bucket: two birth dates
 * less than ~6 months apart always share a bucket (a plain birth year splits Dec 31 from Jan 1).
 */
export function dateBuckets(iso: string): string[] {
  const days = Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
  if (Number.isNaN(days)) return [];
  return [`y${Math.floor(days / 365)}`, `h${Math.floor((days + 182) / 365)}`];
}

/** `b:<phonetic code>:<the other token's first (upper case) or last (lower case) letter, or empty>:<birth date>`: ISO dates sort as dates, so "same block, birth date within a window" is one range of the key index. */
export function birthKey(code: string, letter: string, iso: string): string {
  return `b:${code}:${letter}:${iso}`;
}

/** The code, letter and birth date of a `b:` key. */
export function parseBirthKey(key: string): { code: string; letter: string; birthDate: string } | null {
  const m = /^b:([A-Z]+):([A-Za-z]?):(\d{4}-\d{2}-\d{2})$/.exec(key);
  return m ? { code: m[1]!, letter: m[2]!, birthDate: m[3]! } : null;
}

/** First letters a `b:` key can hold (name tokens are folded to a-z). */
export const FIRST_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("");

/**
 * The birth dates that share a 365-day bucket (`dateBuckets`) with `iso`: the union of its two
 * buckets, one contiguous range. This is the name block's extent (as the former `n:<code>:<bucket>`
 * keys had it), before any narrower birth-date window the dedup weights allow.
 */
export function blockDateRange(iso: string): [string, string] | null {
  const days = Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
  if (Number.isNaN(days)) return null;
  const y = Math.floor(days / 365);
  const h = Math.floor((days + 182) / 365);
  return [isoOfDay(Math.min(365 * y, 365 * h - 182)), isoOfDay(Math.max(365 * y + 364, 365 * h + 182))];
}

/** Only the blocking keys (used to find comparison partners). */
export function isBlockingKey(key: string): boolean {
  return key.startsWith("b:") || key.startsWith("d:") || key.startsWith("ph:");
}

export function nameSortOf(r: KeySource): string {
  const parts = r.kind === "GROUP" ? nameTokens(r.groupName) : [...nameTokens(r.familyName), ...nameTokens(r.givenName), ...nameTokens(r.otherNames)];
  return parts.join(" ").slice(0, 400);
}
