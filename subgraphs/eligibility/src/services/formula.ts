/**
 * The entitlement formula, in exact minor units (bigint), never floats:
 *   amount   = base + perMember × min(members, memberCap)
 *   fee      = transfer fee per entitlement (reported separately, as OpenG2P does)
 *   items    = for in-kind programs: baseQuantity + perMemberQuantity × min(members, memberCap)
 */
import { badInput, decimalToMinor, fromMinorUnits } from "@g2p/kit";

export interface EntitlementItem {
  name: string;
  unit: string;
  baseQuantity: number;
  perMemberQuantity: number;
}

export interface EntitlementFormula {
  baseAmount: string;
  perMemberAmount: string;
  /** null = no cap. */
  memberCap: number | null;
  feeAmount: string;
  /** Entitlements are valid from the cycle's start for this many days. */
  validityDays: number;
  items: EntitlementItem[];
}

export const DEFAULT_FORMULA: EntitlementFormula = {
  baseAmount: "0.00",
  perMemberAmount: "0.00",
  memberCap: null,
  feeAmount: "0.00",
  validityDays: 30,
  items: [],
};

const MAX_AMOUNT = 10n ** 15n;

/** A non-negative decimal string with at most two decimals, to minor units. */
export function parseAmount(value: string, field: string): bigint {
  let minor: bigint;
  try {
    if (!/^\d{1,15}(\.\d{1,2})?$/.test(value.trim())) throw new Error("format");
    minor = decimalToMinor(value);
  } catch {
    throw badInput(`${field} must be a non-negative decimal string with at most 2 decimals, such as "120.50"`, field);
  }
  if (minor >= MAX_AMOUNT) throw badInput(`${field} is too large`, field);
  return minor;
}

/** Validates and normalises a formula (amounts as canonical "0.00" strings). */
export function normaliseFormula(input: EntitlementFormula): EntitlementFormula {
  const base = parseAmount(input.baseAmount, "entitlementFormula.baseAmount");
  const per = parseAmount(input.perMemberAmount, "entitlementFormula.perMemberAmount");
  const fee = parseAmount(input.feeAmount, "entitlementFormula.feeAmount");
  if (input.memberCap != null && (!Number.isInteger(input.memberCap) || input.memberCap < 0 || input.memberCap > 1000)) {
    throw badInput("memberCap must be an integer from 0 to 1000, or null", "entitlementFormula.memberCap");
  }
  if (!Number.isInteger(input.validityDays) || input.validityDays < 1 || input.validityDays > 3660) {
    throw badInput("validityDays must be an integer from 1 to 3660", "entitlementFormula.validityDays");
  }
  for (const item of input.items) {
    if (!item.name.trim() || !item.unit.trim()) throw badInput("every item needs a name and a unit", "entitlementFormula.items");
    for (const q of [item.baseQuantity, item.perMemberQuantity]) {
      if (!Number.isInteger(q) || q < 0 || q > 1_000_000) throw badInput("item quantities must be integers from 0 to 1000000", "entitlementFormula.items");
    }
  }
  return {
    baseAmount: fromMinorUnits(base),
    perMemberAmount: fromMinorUnits(per),
    memberCap: input.memberCap ?? null,
    feeAmount: fromMinorUnits(fee),
    validityDays: input.validityDays,
    items: input.items.map((i) => ({ name: i.name.trim(), unit: i.unit.trim(), baseQuantity: i.baseQuantity, perMemberQuantity: i.perMemberQuantity })),
  };
}

export interface CompiledFormula {
  amount(members: number): bigint;
  fee: bigint;
  items(members: number): { name: string; unit: string; quantity: number }[];
}

export function compileFormula(f: EntitlementFormula): CompiledFormula {
  const base = decimalToMinor(f.baseAmount);
  const per = decimalToMinor(f.perMemberAmount);
  const fee = decimalToMinor(f.feeAmount);
  const counted = (members: number) => Math.max(0, f.memberCap == null ? members : Math.min(members, f.memberCap));
  return {
    amount: (members) => base + per * BigInt(counted(members)),
    fee,
    items: (members) => f.items.map((i) => ({ name: i.name, unit: i.unit, quantity: i.baseQuantity + i.perMemberQuantity * counted(members) })),
  };
}
