/**
 * Field rules for registrant data, shared by the API and every import: each problem is reported as
 * { field, reason, message } with a stable reason code.
 */
import Ajv, { type ValidateFunction } from "ajv";
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";
import { badInput } from "@g2p/kit";
import { FinancialAddressKind } from "../entities/financial-address.entity";
import type { IdType } from "../entities/identifier.entity";
import { GroupKind, RegistrantKind, Sex } from "../entities/registrant.entity";

export type IssueReason =
  | "REQUIRED"
  | "INVALID_FORMAT"
  | "OUT_OF_RANGE"
  | "INVALID_PHONE"
  | "FUTURE_BIRTH_DATE"
  | "SECOND_HEAD"
  | "INVALID_IBAN"
  | "UNKNOWN_ID_TYPE"
  | "IDENTIFIER_PATTERN"
  | "IDENTIFIER_TAKEN"
  | "EXTRA_SCHEMA"
  | "MAPPING"
  | "NOT_FOUND";

export interface FieldIssue {
  field: string;
  reason: IssueReason;
  message: string;
}

export class ValidationFailed extends Error {
  constructor(public readonly issues: FieldIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join("; "));
  }
}

/** The GraphQL error for the first issue: BAD_USER_INPUT with `field` and `reason`. */
export function toUserError(issues: FieldIssue[]) {
  const first = issues[0]!;
  const err = badInput(first.message, first.field);
  Object.assign(err.extensions, { reason: first.reason, issues });
  return err;
}

export interface IdentifierInputData {
  type: string;
  value: string;
}

export interface FinancialAddressData {
  kind: FinancialAddressKind;
  iban?: string | null;
  msisdn?: string | null;
  walletId?: string | null;
  provider?: string | null;
  primary?: boolean | null;
}

/** Registrant data as the API or an import gives it (strings not yet cleaned). */
export interface RegistrantData {
  kind: RegistrantKind;
  groupKind?: GroupKind | string | null;
  givenName?: string | null;
  familyName?: string | null;
  otherNames?: string | null;
  groupName?: string | null;
  birthDate?: string | null;
  birthDateApproximate?: boolean | null;
  sex?: Sex | string | null;
  phones?: string[] | null;
  addressLine?: string | null;
  adminAreaCode?: string | null;
  /** Area codes from the top level down (e.g. ["KE", "KE-047", "KE-047-02"]); defaults to [adminAreaCode]. */
  adminAreaPath?: string[] | null;
  disability?: boolean | null;
  registrationDate?: string | null;
  extra?: Record<string, unknown> | null;
  identifiers?: IdentifierInputData[] | null;
  financialAddresses?: FinancialAddressData[] | null;
}

export interface CleanRegistrant {
  kind: RegistrantKind;
  groupKind: GroupKind | null;
  givenName: string | null;
  familyName: string | null;
  otherNames: string | null;
  groupName: string | null;
  birthDate: string | null;
  birthDateApproximate: boolean;
  sex: Sex | null;
  phones: string[];
  addressLine: string | null;
  adminAreaCode: string | null;
  adminAreaPath: string | null;
  disability: boolean | null;
  registrationDate: string | null;
  extra: Record<string, unknown> | null;
  identifiers: IdentifierInputData[];
  financialAddresses: FinancialAddressData[];
}

export interface ValidationContext {
  idTypes: Map<string, IdType>;
  extraValidator: ValidateFunction | null;
  defaultCountry: CountryCode;
  today: string;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validatorCache = new Map<string, ValidateFunction>();

export function compileExtraSchema(schema: unknown): ValidateFunction | null {
  if (!schema) return null;
  const key = JSON.stringify(schema);
  let v = validatorCache.get(key);
  if (!v) {
    v = ajv.compile(schema as object);
    validatorCache.set(key, v);
  }
  return v;
}

export function isValidJsonSchema(schema: unknown): string | null {
  try {
    ajv.compile(schema as object);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

const MAX = { name: 200, address: 500, area: 100 };
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(v: string): boolean {
  const m = DATE.exec(v);
  if (!m) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

/** ISO 13616 IBAN: country, check digits, mod-97 = 1. */
export function isValidIban(raw: string): boolean {
  const iban = raw.replace(/\s+/g, "").toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const v = ch >= "A" && ch <= "Z" ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rem = (rem * 10 + Number(d)) % 97;
  }
  return rem === 1;
}

export function normalizePhone(raw: string, country: CountryCode): string | null {
  const p = parsePhoneNumberFromString(raw.trim(), country);
  return p && p.isValid() ? p.number : null;
}

function clean(v: string | null | undefined): string | null {
  if (v == null) return null;
  const t = String(v).trim();
  return t.length ? t : null;
}

function enumValue<T extends string>(values: Record<string, T>, v: unknown): T | null | undefined {
  if (v == null || v === "") return null;
  const up = String(v).trim().toUpperCase();
  return (Object.values(values) as string[]).includes(up) ? (up as T) : undefined;
}

/** Cleans and checks one registrant's data; returns the clean value or every issue found. */
export function validateRegistrant(input: RegistrantData, vc: ValidationContext, prefix = ""): { value?: CleanRegistrant; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const f = (name: string) => `${prefix}${name}`;
  const add = (field: string, reason: IssueReason, message: string): void => {
    issues.push({ field: f(field), reason, message });
  };

  const name = (field: "givenName" | "familyName" | "otherNames" | "groupName") => {
    const v = clean(input[field]);
    if (v && v.length > MAX.name) add(field, "OUT_OF_RANGE", `${field} is longer than ${MAX.name} characters`);
    return v;
  };
  const givenName = name("givenName");
  const familyName = name("familyName");
  const otherNames = name("otherNames");
  const groupName = name("groupName");
  const kind = input.kind;
  if (kind === RegistrantKind.INDIVIDUAL) {
    if (!givenName && !familyName) add("givenName", "REQUIRED", "An individual needs a given or a family name");
    if (groupName) add("groupName", "INVALID_FORMAT", "groupName is for groups only");
  } else if (!groupName) add("groupName", "REQUIRED", "A group needs a groupName");

  let groupKind: GroupKind | null = null;
  if (kind === RegistrantKind.GROUP) {
    const gk = enumValue(GroupKind, input.groupKind ?? "HOUSEHOLD");
    if (gk === undefined) add("groupKind", "INVALID_FORMAT", `groupKind must be one of ${Object.values(GroupKind).join(", ")}`);
    else groupKind = gk ?? GroupKind.HOUSEHOLD;
  }

  let birthDate = clean(input.birthDate);
  if (birthDate) {
    if (!isIsoDate(birthDate)) {
      add("birthDate", "INVALID_FORMAT", "birthDate must be a date YYYY-MM-DD");
      birthDate = null;
    } else if (birthDate > vc.today) add("birthDate", "FUTURE_BIRTH_DATE", "birthDate is in the future");
    else if (birthDate < "1880-01-01") add("birthDate", "OUT_OF_RANGE", "birthDate is before 1880");
  }
  if (kind === RegistrantKind.GROUP && birthDate) add("birthDate", "INVALID_FORMAT", "birthDate is for individuals only");

  const sexAlias: Record<string, Sex> = { F: Sex.FEMALE, M: Sex.MALE, O: Sex.OTHER };
  const sex = enumValue(Sex, typeof input.sex === "string" ? (sexAlias[input.sex.trim().toUpperCase()] ?? input.sex) : input.sex);
  if (sex === undefined) add("sex", "INVALID_FORMAT", `sex must be one of ${Object.values(Sex).join(", ")}`);

  const phones: string[] = [];
  (input.phones ?? []).forEach((raw, i) => {
    if (raw == null || String(raw).trim() === "") return;
    const p = normalizePhone(String(raw), vc.defaultCountry);
    if (!p) add(`phones[${i}]`, "INVALID_PHONE", `"${raw}" is not a valid phone number (E.164 expected)`);
    else if (!phones.includes(p)) phones.push(p);
  });

  const addressLine = clean(input.addressLine);
  if (addressLine && addressLine.length > MAX.address) add("addressLine", "OUT_OF_RANGE", `addressLine is longer than ${MAX.address} characters`);
  const areaPath = (input.adminAreaPath ?? []).map((a) => clean(a)).filter((a): a is string => !!a);
  const adminAreaCode = clean(input.adminAreaCode) ?? areaPath.at(-1) ?? null;
  if (adminAreaCode && !/^[A-Za-z0-9._-]{1,100}$/.test(adminAreaCode)) add("adminAreaCode", "INVALID_FORMAT", "adminAreaCode may hold letters, digits, '.', '_' and '-' only");
  if (adminAreaCode && areaPath.length && areaPath.at(-1) !== adminAreaCode) areaPath.push(adminAreaCode);
  const adminAreaPath = adminAreaCode ? `${(areaPath.length ? areaPath : [adminAreaCode]).join("/")}/` : null;

  const registrationDate = clean(input.registrationDate);
  if (registrationDate && (!isIsoDate(registrationDate) || registrationDate > vc.today)) add("registrationDate", "INVALID_FORMAT", "registrationDate must be a past date YYYY-MM-DD");

  let extra: Record<string, unknown> | null = null;
  if (input.extra && Object.keys(input.extra).length) {
    extra = input.extra;
    if (vc.extraValidator && !vc.extraValidator(extra)) {
      for (const e of vc.extraValidator.errors ?? []) {
        const path = (e.instancePath || "").replace(/^\//, "").replace(/\//g, ".");
        const missing = (e.params as { missingProperty?: string }).missingProperty;
        add(`extra${path ? `.${path}` : ""}${missing ? `.${missing}` : ""}`, "EXTRA_SCHEMA", `extra${path ? `.${path}` : ""} ${e.message ?? "is invalid"}`);
      }
    }
  } else if (vc.extraValidator && !vc.extraValidator({})) {
    // a schema with required properties makes extra attributes mandatory
    const missing = (vc.extraValidator.errors ?? []).map((e) => (e.params as { missingProperty?: string }).missingProperty).filter(Boolean);
    if (missing.length) add(`extra.${missing[0]}`, "EXTRA_SCHEMA", `extra must have required property '${missing[0]}'`);
  }

  const identifiers: IdentifierInputData[] = [];
  const seenTypes = new Set<string>();
  (input.identifiers ?? []).forEach((id, i): void => {
    const type = clean(id.type)?.toUpperCase();
    const value = clean(id.value);
    if (!type || !value) return add(`identifiers[${i}]`, "REQUIRED", "an identifier needs a type and a value");
    const def = vc.idTypes.get(type);
    if (!def) return add(`identifiers[${i}].type`, "UNKNOWN_ID_TYPE", `unknown identifier type ${type}`);
    if (def.pattern && !new RegExp(`^(?:${def.pattern})$`).test(value)) return add(`identifiers[${i}].value`, "IDENTIFIER_PATTERN", `${type} value does not match ${def.pattern}`);
    if (seenTypes.has(type)) return add(`identifiers[${i}].type`, "INVALID_FORMAT", `only one ${type} per registrant`);
    seenTypes.add(type);
    identifiers.push({ type, value });
  });

  const financialAddresses: FinancialAddressData[] = [];
  (input.financialAddresses ?? []).forEach((fa, i): void => {
    const at = `financialAddresses[${i}]`;
    if (fa.kind === FinancialAddressKind.BANK_ACCOUNT) {
      const iban = clean(fa.iban)?.replace(/\s+/g, "").toUpperCase();
      if (!iban) return add(`${at}.iban`, "REQUIRED", "a bank account needs an IBAN");
      if (!isValidIban(iban)) return add(`${at}.iban`, "INVALID_IBAN", "IBAN check failed (ISO 13616 mod-97)");
      financialAddresses.push({ kind: fa.kind, iban, provider: clean(fa.provider), primary: !!fa.primary });
    } else if (fa.kind === FinancialAddressKind.MOBILE_MONEY) {
      const raw = clean(fa.msisdn);
      if (!raw) return add(`${at}.msisdn`, "REQUIRED", "mobile money needs an msisdn");
      const msisdn = normalizePhone(raw, vc.defaultCountry);
      if (!msisdn) return add(`${at}.msisdn`, "INVALID_PHONE", `"${raw}" is not a valid phone number (E.164 expected)`);
      financialAddresses.push({ kind: fa.kind, msisdn, provider: clean(fa.provider), primary: !!fa.primary });
    } else if (fa.kind === FinancialAddressKind.WALLET) {
      const walletId = clean(fa.walletId);
      if (!walletId) return add(`${at}.walletId`, "REQUIRED", "a wallet needs a walletId");
      financialAddresses.push({ kind: fa.kind, walletId, provider: clean(fa.provider), primary: !!fa.primary });
    } else add(`${at}.kind`, "INVALID_FORMAT", "unknown financial address kind");
  });

  if (issues.length) return { issues };
  return {
    issues,
    value: {
      kind,
      groupKind,
      givenName,
      familyName,
      otherNames,
      groupName,
      birthDate,
      birthDateApproximate: !!input.birthDateApproximate,
      sex: sex ?? null,
      phones,
      addressLine,
      adminAreaCode,
      adminAreaPath,
      disability: input.disability ?? null,
      registrationDate,
      extra,
      identifiers,
      financialAddresses,
    },
  };
}
