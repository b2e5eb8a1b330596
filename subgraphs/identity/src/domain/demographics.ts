/** Demographics as stored (sealed JSON) and MOSIP-style demographic matching. */
import { createHash } from "node:crypto";

export interface LocalizedValue {
  language: string;
  value: string;
}

export interface Demographics {
  names: LocalizedValue[];
  /** YYYY-MM-DD */
  dateOfBirth?: string | null;
  gender?: string | null;
  phone?: string | null;
  email?: string | null;
  address?: LocalizedValue[] | null;
}

/** Case, accents and spacing do not matter when names are compared. */
export function normalizeText(s: string): string {
  return s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
}

const digits = (s: string) => s.replace(/\D/g, "");

/**
 * Demographic match: every attribute the request carries must match the record (a name in any of the
 * record's languages). Returns null when it matches, or the first attribute that does not.
 */
export function demographicMismatch(record: Demographics, given: Partial<Demographics>): string | null {
  if (given.names?.length) {
    const known = new Set(record.names.map((n) => normalizeText(n.value)));
    if (!given.names.every((n) => known.has(normalizeText(n.value)))) return "name";
  }
  if (given.dateOfBirth != null && given.dateOfBirth !== record.dateOfBirth) return "dateOfBirth";
  if (given.gender != null && normalizeText(given.gender) !== normalizeText(record.gender ?? "")) return "gender";
  if (given.phone != null && digits(given.phone) !== digits(record.phone ?? "")) return "phone";
  if (given.email != null && given.email.trim().toLowerCase() !== (record.email ?? "").trim().toLowerCase()) return "email";
  if (given.address?.length) {
    const known = new Set((record.address ?? []).map((a) => normalizeText(a.value)));
    if (!given.address.every((a) => known.has(normalizeText(a.value)))) return "address";
  }
  return null;
}

export function hasDemographics(given: Partial<Demographics> | null | undefined): boolean {
  if (!given) return false;
  return Boolean(given.names?.length || given.dateOfBirth || given.gender || given.phone || given.email || given.address?.length);
}

/** "XXXXXX1234": what an OTP response may say about where the code went. */
export function maskPhone(phone: string): string {
  const d = digits(phone);
  return d.length <= 4 ? "XXXX" : `${"X".repeat(d.length - 4)}${d.slice(-4)}`;
}

export function maskEmail(email: string): string {
  const [user = "", domain = ""] = email.split("@");
  return `${user.slice(0, 2)}${"X".repeat(Math.max(1, user.length - 2))}@${domain}`;
}

/** The KYC attributes a policy can name, and how each is read from the record. */
export const KYC_ATTRIBUTES = ["fullName", "dateOfBirth", "gender", "phone", "email", "address"] as const;
export type KycAttributeName = (typeof KYC_ATTRIBUTES)[number];

/** OIDC claim names for the kyc-exchange JWT (eSignet's claim set). */
export const OIDC_CLAIM_OF: Record<KycAttributeName, string> = {
  fullName: "name",
  dateOfBirth: "birthdate",
  gender: "gender",
  phone: "phone_number",
  email: "email",
  address: "address",
};

export interface KycValue {
  name: KycAttributeName;
  language: string | null;
  value: string;
}

export function kycValues(record: Demographics, names: readonly string[]): KycValue[] {
  const out: KycValue[] = [];
  for (const name of names) {
    switch (name as KycAttributeName) {
      case "fullName":
        record.names.forEach((n) => out.push({ name: "fullName", language: n.language, value: n.value }));
        break;
      case "address":
        (record.address ?? []).forEach((a) => out.push({ name: "address", language: a.language, value: a.value }));
        break;
      case "dateOfBirth":
      case "gender":
      case "phone":
      case "email": {
        const v = record[name as "dateOfBirth" | "gender" | "phone" | "email"];
        if (v) out.push({ name: name as KycAttributeName, language: null, value: v });
        break;
      }
    }
  }
  return out;
}

/** Biometric templates: feature vectors, unit-normalised; similarity is the cosine. */
export function normalizeVector(v: number[]): number[] {
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  if (!Number.isFinite(norm) || norm === 0) throw new Error("template vector must be non-zero");
  return v.map((x) => x / norm);
}

export function cosine(a: number[], b: number[]): number {
  if (a.length !== b.length) return 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function templateHash(v: number[]): string {
  return createHash("sha256").update(JSON.stringify(v)).digest("hex");
}
