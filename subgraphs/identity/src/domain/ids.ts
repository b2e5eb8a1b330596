/**
 * UIN and VID: Verhoeff check digit and MOSIP's generation filters (kernel-idgenerator's
 * UinFilterUtil / VidFilterUtils). IDA validates only length and checksum; the filters apply when we
 * generate an id. Tables are derived from their definitions (dihedral group D5), not transcribed.
 */
import { randomInt } from "node:crypto";

const mul = (j: number, k: number): number =>
  j < 5 ? (k < 5 ? (j + k) % 5 : 5 + ((j + k) % 5)) : k < 5 ? 5 + ((j - k + 5) % 5) : (j - k + 5) % 5;
const P1 = [1, 5, 7, 6, 2, 8, 3, 0, 9, 4];
/** PERM[i][x] = P1 applied i times to x (period 8). */
const PERM: number[][] = Array.from({ length: 8 }, (_, i) =>
  Array.from({ length: 10 }, (_, x) => {
    let v = x;
    for (let n = 0; n < i; n++) v = P1[v]!;
    return v;
  }),
);
const INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

function fold(digits: string, shift: number): number {
  let c = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(digits.length - 1 - i) - 48;
    c = mul(c, PERM[(i + shift) % 8]![d]!);
  }
  return c;
}

/** The Verhoeff check digit of a payload of decimal digits. */
export function verhoeffCheckDigit(payload: string): string {
  if (!/^\d+$/.test(payload)) throw new Error("verhoeffCheckDigit: digits only");
  return String(INV[fold(payload, 1)]);
}

/** True when the last digit is the Verhoeff check digit of the rest. */
export function verhoeffValid(id: string): boolean {
  return /^\d+$/.test(id) && fold(id, 0) === 0;
}

export const UIN_LENGTH = 10;
export const VID_LENGTH = 16;
const RESTRICTED = ["786", "666"];
const NOT_START_WITH = ["0", "1"];
/** Cyclic numbers (full-reptend primes' periods), discarded when not longer than the id. */
const CYCLIC = ["142857", "0588235294117647", "052631578947368421", "0434782608695652173913"];

/** 3 consecutive digits ascending or descending, wrapping 9 -> 0 (e.g. 123, 890, 210). */
function hasSequence(id: string, limit = 3): boolean {
  for (let i = 0; i + limit <= id.length; i++) {
    let up = true;
    let down = true;
    for (let k = 1; k < limit; k++) {
      const prev = id.charCodeAt(i + k - 1) - 48;
      const cur = id.charCodeAt(i + k) - 48;
      if (cur !== (prev + 1) % 10) up = false;
      if (cur !== (prev + 9) % 10) down = false;
    }
    if (up || down) return true;
  }
  return false;
}

/** Why a candidate is discarded, or null when it passes every rule. */
export type FilterRule =
  | "length"
  | "not-start-with"
  | "sequence"
  | "repeating"
  | "repeating-block"
  | "even-digits"
  | "first-last-digits"
  | "reverse-digits"
  | "restricted"
  | "cyclic";

const commonRules = (id: string, length: number): FilterRule | null => {
  if (id.length !== length || !/^\d+$/.test(id)) return "length";
  if (NOT_START_WITH.includes(id[0]!)) return "not-start-with";
  if (hasSequence(id)) return "sequence";
  if (/(\d)\d?\1/.test(id)) return "repeating";
  if (/(\d{2,}).*?\1/.test(id)) return "repeating-block";
  if (RESTRICTED.some((r) => id.includes(r))) return "restricted";
  return null;
};

/** MOSIP's UIN filter rules (defaults of application-local.properties). */
export function uinFilterViolation(id: string): FilterRule | null {
  const common = commonRules(id, UIN_LENGTH);
  if (common) return common;
  if (/[2468]{3}/.test(id)) return "even-digits";
  if (id.slice(0, 5) === id.slice(-5)) return "first-last-digits";
  if (id.slice(0, 5) === [...id.slice(-5)].reverse().join("")) return "reverse-digits";
  if (CYCLIC.some((c) => c.length <= id.length && id.includes(c))) return "cyclic";
  return null;
}

/** MOSIP's VID filter rules: length, sequence, repeating, repeating block, not-start-with, restricted. */
export function vidFilterViolation(id: string): FilterRule | null {
  return commonRules(id, VID_LENGTH);
}

function randomDigits(n: number): string {
  let s = "";
  while (s.length < n) s += randomInt(0, 1_000_000_000).toString().padStart(9, "0");
  return s.slice(0, n);
}

function generate(length: number, violation: (id: string) => FilterRule | null): string {
  for (let attempt = 0; attempt < 100_000; attempt++) {
    const payload = randomDigits(length - 1);
    const id = payload + verhoeffCheckDigit(payload);
    if (violation(id) === null) return id;
  }
  throw new Error(`could not generate a ${length}-digit id passing the filters`);
}

/** A fresh UIN: secure-random payload + Verhoeff digit, passing every UIN filter. */
export const generateUin = (): string => generate(UIN_LENGTH, uinFilterViolation);
/** A fresh VID: secure-random payload + Verhoeff digit, passing every VID filter. */
export const generateVid = (): string => generate(VID_LENGTH, vidFilterViolation);

export type IdType = "UIN" | "VID";

/**
 * What IDA checks before any lookup: length and checksum. Returns the id type (inferred from the
 * length when not given) or the MOSIP error code to raise.
 */
export function checkIndividualId(id: string, declared?: IdType | null): { type: IdType } | { code: string } {
  const type: IdType | null = declared ?? (id.length === UIN_LENGTH ? "UIN" : id.length === VID_LENGTH ? "VID" : null);
  if (type === null) return { code: "IDA-MLC-009" };
  const length = type === "UIN" ? UIN_LENGTH : VID_LENGTH;
  if (id.length !== length || !/^\d+$/.test(id)) return { code: type === "UIN" ? "IDA-MLC-026" : "IDA-MLC-028" };
  if (!verhoeffValid(id)) return { code: type === "UIN" ? "IDA-MLC-027" : "IDA-MLC-029" };
  return { type };
}
