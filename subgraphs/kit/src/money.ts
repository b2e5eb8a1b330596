/**
 * Money as exact decimals: amounts travel as decimal strings ("1250.50") and are added as bigint
 * minor units, never as floats.
 */
import { badInput } from "./errors";

const AMOUNT = /^(0|[1-9]\d{0,14})(\.\d{1,4})?$/;
export const MONEY_SCALE = 2;

/** Parses a positive decimal amount with at most `scale` decimals into minor units. */
export function toMinorUnits(amount: string, field = "amount", scale = MONEY_SCALE): bigint {
  const match = AMOUNT.exec(amount);
  if (!match) throw badInput(`${field} must be a decimal string such as "1250.50"`, field);
  const fraction = (match[2] ?? ".").slice(1);
  if (fraction.length > scale) throw badInput(`${field} has more than ${scale} decimals`, field);
  const minor = BigInt(match[1]!) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, "0") || "0");
  if (minor <= 0n) throw badInput(`${field} must be greater than zero`, field);
  return minor;
}

export function fromMinorUnits(minor: bigint, scale = MONEY_SCALE): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(scale + 1, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** ISO 4217 alphabetic code. */
export function assertCurrency(code: string, field = "currency"): string {
  if (!/^[A-Z]{3}$/.test(code)) throw badInput(`${field} must be an ISO 4217 code such as "KES"`, field);
  return code;
}
