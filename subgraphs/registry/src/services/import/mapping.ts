/**
 * Turning source rows into intake units. ODK submissions go through a declarative mapping per form
 * (paths into the OData JSON, value maps, repeat groups for household members); CSV and JSON rows
 * use fixed column names (docs/registry.md).
 */
import { FinancialAddressKind } from "../../entities/financial-address.entity";
import { RegistrationSource } from "../../entities/registrant.entity";
import type { IntakeUnit } from "../registrant.service";
import type { FieldIssue, RegistrantData } from "../validation";

/** A path such as "household/name" into the submission, or a constant. */
export type ValueSpec = string | { const: unknown } | { path: string; map?: Record<string, unknown> };

export interface EntityMapping {
  /** Registrant fields: givenName, familyName, otherNames, groupName, groupKind, birthDate, birthDateApproximate, sex, phones, addressLine, adminAreaCode, adminAreaPath, disability, registrationDate, role. */
  fields?: Record<string, ValueSpec | ValueSpec[]>;
  /** Identifier type -> path. */
  identifiers?: Record<string, ValueSpec>;
  /** Extra attribute name -> path. */
  extra?: Record<string, ValueSpec>;
  /** Per field: source value -> registry value (e.g. sex { m: "MALE" }). */
  values?: Record<string, Record<string, unknown>>;
  /** Mobile-money number path (MOBILE_MONEY financial address). */
  mobileMoney?: ValueSpec;
  iban?: ValueSpec;
}

export interface OdkMapping {
  /** The submission is a household (group) ... */
  group?: EntityMapping;
  /** ... whose members are rows of this repeat group ... */
  members?: EntityMapping & { repeat: string };
  /** ... or the submission is one individual. */
  individual?: EntityMapping;
}

export const REGISTRANT_FIELDS = new Set([
  "givenName", "familyName", "otherNames", "groupName", "groupKind", "birthDate", "birthDateApproximate", "sex", "phones",
  "addressLine", "adminAreaCode", "adminAreaPath", "disability", "registrationDate", "role",
]);

/** Checks a mapping's shape before an import starts; returns a problem or null. */
export function checkMapping(m: OdkMapping): string | null {
  if (!m || typeof m !== "object") return "mapping must be an object";
  if (!m.group && !m.individual) return "mapping needs `group` (households) or `individual`";
  if (m.group && m.individual) return "mapping has either `group` or `individual`, not both";
  if (m.members && !m.members.repeat) return "members.repeat names the repeat group";
  for (const e of [m.group, m.members, m.individual]) {
    for (const f of Object.keys(e?.fields ?? {})) if (!REGISTRANT_FIELDS.has(f)) return `unknown registrant field "${f}" in mapping`;
  }
  return null;
}

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split("/")) {
    if (cur == null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function valueOf(row: unknown, spec: ValueSpec): unknown {
  if (typeof spec === "string") return getPath(row, spec);
  if ("const" in spec) return spec.const;
  const v = getPath(row, spec.path);
  return spec.map && v != null ? (spec.map[String(v)] ?? v) : v;
}

const toBool = (v: unknown): boolean | null => {
  if (v == null || v === "") return null;
  if (typeof v === "boolean") return v;
  const s = String(v).trim().toLowerCase();
  if (["true", "yes", "y", "1"].includes(s)) return true;
  if (["false", "no", "n", "0"].includes(s)) return false;
  return null;
};

function applyEntity(row: unknown, e: EntityMapping, issues: FieldIssue[], prefix: string): { data: Omit<RegistrantData, "kind">; role: string | null } {
  const data: Record<string, unknown> = {};
  let role: string | null = null;
  for (const [field, spec] of Object.entries(e.fields ?? {})) {
    let v: unknown = Array.isArray(spec) ? spec.map((s) => valueOf(row, s)).filter((x) => x != null && x !== "") : valueOf(row, spec);
    const map = e.values?.[field];
    if (map) v = Array.isArray(v) ? v.map((x) => map[String(x)] ?? x) : v != null ? (map[String(v)] ?? v) : v;
    if (field === "phones" && v != null && !Array.isArray(v)) v = String(v).split(/[ ,;]+/).filter(Boolean);
    if (field === "adminAreaPath" && typeof v === "string") v = v.split(/[/>]/).map((x) => x.trim()).filter(Boolean);
    if (field === "disability" || field === "birthDateApproximate") {
      const b = toBool(v);
      if (v != null && v !== "" && b === null) issues.push({ field: `${prefix}${field}`, reason: "INVALID_FORMAT", message: `${field} must be yes/no` });
      v = b;
    }
    if (field === "role") role = v == null ? null : String(v);
    else if (v != null && typeof v !== "object" && field !== "disability" && field !== "birthDateApproximate") data[field] = String(v);
    else data[field] = v;
  }
  const identifiers = Object.entries(e.identifiers ?? {})
    .map(([type, spec]) => ({ type, value: valueOf(row, spec) }))
    .filter((x) => x.value != null && x.value !== "")
    .map((x) => ({ type: x.type, value: String(x.value) }));
  const extra: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(e.extra ?? {})) {
    const v = valueOf(row, spec);
    if (v !== undefined && v !== null && v !== "") extra[k] = v;
  }
  const fas = [];
  const mm = e.mobileMoney ? valueOf(row, e.mobileMoney) : null;
  if (mm) fas.push({ kind: FinancialAddressKind.MOBILE_MONEY, msisdn: String(mm), primary: true });
  const iban = e.iban ? valueOf(row, e.iban) : null;
  if (iban) fas.push({ kind: FinancialAddressKind.BANK_ACCOUNT, iban: String(iban), primary: !mm });
  return { data: { ...(data as Omit<RegistrantData, "kind">), identifiers, extra: Object.keys(extra).length ? extra : null, financialAddresses: fas }, role };
}

/** One ODK submission (OData JSON, repeats expanded) -> one unit. */
export function odkToUnit(sub: Record<string, unknown>, rowNo: number, m: OdkMapping): { unit?: IntakeUnit; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const instanceId = String(sub.__id ?? getPath(sub, "meta/instanceID") ?? "");
  if (!instanceId) return { issues: [{ field: "__id", reason: "REQUIRED", message: "submission has no __id" }] };
  if (m.individual) {
    const { data, role } = applyEntity(sub, m.individual, issues, "");
    return { issues, unit: { rowNo, sourceId: instanceId, source: RegistrationSource.ODK, members: [{ sourceId: instanceId, data: data as RegistrantData, role }] } };
  }
  const { data: gdata } = applyEntity(sub, m.group!, issues, "group.");
  const members: IntakeUnit["members"] = [];
  if (m.members) {
    const rows = getPath(sub, m.members.repeat);
    if (rows != null && !Array.isArray(rows)) issues.push({ field: m.members.repeat, reason: "MAPPING", message: "repeat group is not expanded (use $expand=*)" });
    (Array.isArray(rows) ? rows : []).forEach((r: Record<string, unknown>, i) => {
      const { data, role } = applyEntity(r, m.members!, issues, `members[${i}].`);
      // Central gives each repeat instance its own __id; fall back to the position.
      members.push({ sourceId: `${instanceId}/${m.members!.repeat}/${r.__id ?? i}`, data: { ...data, adminAreaCode: data.adminAreaCode ?? gdata.adminAreaCode, adminAreaPath: data.adminAreaPath ?? gdata.adminAreaPath } as RegistrantData, role });
    });
  }
  return { issues, unit: { rowNo, sourceId: instanceId, source: RegistrationSource.ODK, group: { sourceId: instanceId, data: gdata as RegistrantData }, members } };
}

export const CSV_COLUMNS = [
  "source_id", "household_id", "household_name", "role", "given_name", "family_name", "other_names", "birth_date", "birth_date_approximate",
  "sex", "phone", "admin_area_code", "admin_area_path", "address", "disability", "id_type", "id_value", "mobile_money", "iban",
] as const;

/** A CSV or JSON row (column names in docs/registry.md) -> one unit. */
export function flatRowToUnit(row: Record<string, unknown>, rowNo: number, source: RegistrationSource): { unit?: IntakeUnit; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const s = (k: string) => {
    const v = row[k];
    return v == null || v === "" ? null : String(v).trim() || null;
  };
  const sourceId = s("source_id");
  if (!sourceId) return { issues: [{ field: "source_id", reason: "REQUIRED", message: "source_id is required (imports are idempotent on it)" }] };
  const extra: Record<string, unknown> = {};
  const hhExtra: Record<string, unknown> = {};
  const identifiers: { type: string; value: string }[] = [];
  for (const [k, v] of Object.entries(row)) {
    if (v == null || v === "") continue;
    const typed = typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : typeof v === "string" && /^(true|false)$/i.test(v) ? v.toLowerCase() === "true" : v;
    if (k.startsWith("extra.")) extra[k.slice(6)] = typed;
    else if (k.startsWith("household_extra.")) hhExtra[k.slice(16)] = typed;
    else if (k.startsWith("id.")) identifiers.push({ type: k.slice(3).toUpperCase(), value: String(v).trim() });
  }
  if (s("id_type") || s("id_value")) identifiers.push({ type: (s("id_type") ?? "").toUpperCase(), value: s("id_value") ?? "" });
  const bool = (k: string) => {
    const v = s(k);
    const b = toBool(v);
    if (v != null && b === null) issues.push({ field: k, reason: "INVALID_FORMAT", message: `${k} must be yes/no` });
    return b;
  };
  const fas = [];
  if (s("mobile_money")) fas.push({ kind: FinancialAddressKind.MOBILE_MONEY, msisdn: s("mobile_money"), primary: true });
  if (s("iban")) fas.push({ kind: FinancialAddressKind.BANK_ACCOUNT, iban: s("iban"), primary: !s("mobile_money") });
  const areaPath = s("admin_area_path")?.split(/[/>]/).map((x) => x.trim()).filter(Boolean) ?? null;
  const person: RegistrantData = {
    kind: "INDIVIDUAL" as RegistrantData["kind"],
    givenName: s("given_name"),
    familyName: s("family_name"),
    otherNames: s("other_names"),
    birthDate: s("birth_date"),
    birthDateApproximate: bool("birth_date_approximate"),
    sex: s("sex"),
    phones: s("phone")?.split(/[ ,;]+/).filter(Boolean) ?? [],
    adminAreaCode: s("admin_area_code"),
    adminAreaPath: areaPath,
    addressLine: s("address"),
    disability: bool("disability"),
    identifiers,
    extra: Object.keys(extra).length ? extra : null,
    financialAddresses: fas as RegistrantData["financialAddresses"],
  };
  const hh = s("household_id");
  const unit: IntakeUnit = {
    rowNo,
    sourceId,
    source,
    group: hh
      ? {
          sourceId: `household:${hh}`,
          data: {
            kind: "GROUP" as RegistrantData["kind"],
            groupName: s("household_name") ?? `${s("family_name") ?? hh} household`,
            adminAreaCode: s("admin_area_code"),
            adminAreaPath: areaPath,
            addressLine: s("address"),
            extra: Object.keys(hhExtra).length ? hhExtra : null,
          },
        }
      : null,
    members: [{ sourceId, data: person, role: s("role") }],
  };
  return { unit, issues };
}
