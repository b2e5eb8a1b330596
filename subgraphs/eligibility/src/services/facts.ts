/**
 * What rules, scores and formulas read: a registrant from the registry's bulk contract
 * (`registrantsForProcessing`), turned into CEL facts. Unknown values (null in the registry) are left
 * out, so `has(registrant.age)` tells whether a value is known, and a rule that reads an unknown value
 * fails for that registrant only (a per-registrant error), never silently.
 */
import type { ExtraType } from "../config";

export interface ProcessingMember {
  id: string;
  role: string | null;
  birthDate: string | null;
  sex: string | null;
  disability: boolean | null;
}

/** One node of the registry's `ProcessingPage` (the contract between the blocks). */
export interface ProcessingRegistrant {
  id: string;
  kind: "INDIVIDUAL" | "GROUP";
  birthDate: string | null;
  sex: string | null;
  disability: boolean | null;
  adminAreaCode: string | null;
  groupId: string | null;
  members: ProcessingMember[] | null;
  extra: Record<string, unknown> | null;
}

export interface Facts {
  registrant: Record<string, unknown>;
  household: Record<string, unknown>;
  extra: Record<string, unknown>;
}

const CHILD_AGE = 18;
const ELDERLY_AGE = 60;

/** Whole years between an ISO date and `asOf` (UTC); null when the date is missing or invalid. */
export function ageOn(birthDate: string | null | undefined, asOf: Date): number | null {
  if (!birthDate) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(birthDate);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  let age = asOf.getUTCFullYear() - y;
  const beforeBirthday = asOf.getUTCMonth() + 1 < mo || (asOf.getUTCMonth() + 1 === mo && asOf.getUTCDate() < d);
  if (beforeBirthday) age -= 1;
  return age >= 0 && age < 150 ? age : null;
}

/** Members counted by the entitlement formula: a group's members, or 1 for an individual. */
export function householdSizeOf(r: ProcessingRegistrant): number {
  return r.kind === "GROUP" ? (r.members?.length ?? 0) : 1;
}

function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== null && value !== undefined) target[key] = value;
}

export function toFacts(r: ProcessingRegistrant, asOf: Date, extraSchema: Record<string, ExtraType>): Facts {
  const registrant: Record<string, unknown> = { id: r.id, kind: r.kind };
  const age = ageOn(r.birthDate, asOf);
  put(registrant, "age", age === null ? null : BigInt(age));
  put(registrant, "sex", r.sex);
  put(registrant, "disability", r.disability);
  put(registrant, "adminAreaCode", r.adminAreaCode);
  put(registrant, "groupId", r.groupId);

  const household: Record<string, unknown> = {};
  if (r.kind === "GROUP") {
    const members = r.members ?? [];
    let children = 0;
    let elderly = 0;
    let disabled = 0;
    let heads = 0;
    const list = members.map((m) => {
      const a = ageOn(m.birthDate, asOf);
      if (a !== null && a < CHILD_AGE) children++;
      if (a !== null && a >= ELDERLY_AGE) elderly++;
      if (m.disability) disabled++;
      if (m.role === "HEAD") heads++;
      const out: Record<string, unknown> = {};
      put(out, "role", m.role);
      put(out, "age", a === null ? null : BigInt(a));
      put(out, "sex", m.sex);
      put(out, "disability", m.disability);
      return out;
    });
    household.size = BigInt(members.length);
    household.children = BigInt(children);
    household.elderly = BigInt(elderly);
    household.disabled = BigInt(disabled);
    household.heads = BigInt(heads);
    household.members = list;
  }

  const extra: Record<string, unknown> = {};
  const raw = r.extra ?? {};
  for (const [name, type] of Object.entries(extraSchema)) {
    const v = raw[name];
    if (v === null || v === undefined) continue;
    if (type === "int" && typeof v === "number" && Number.isInteger(v)) extra[name] = BigInt(v);
    else if (type === "double" && typeof v === "number") extra[name] = v;
    else if (type === "string" && typeof v === "string") extra[name] = v;
    else if (type === "bool" && typeof v === "boolean") extra[name] = v;
    // A value of the wrong type is treated as unknown: a rule reading it fails for this registrant.
  }
  return { registrant, household, extra };
}
