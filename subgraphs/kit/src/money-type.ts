import { Type, type Platform } from "@mikro-orm/core";
import { fromMinorUnits, MONEY_SCALE } from "./money";

/**
 * An amount column that is exact on both databases: `numeric(20,2)` on PostgreSQL, and integer minor
 * units on SQLite (whose NUMERIC affinity would store fractions as floating point). In JavaScript it
 * is always a canonical decimal string with two decimals ("10.00"), so SUMs in SQL stay exact too.
 */
export class MoneyType extends Type<string, string | number | bigint> {
  private isSqlite(platform: Platform): boolean {
    return /sqlite|libsql/i.test(platform.constructor.name);
  }

  override convertToDatabaseValue(value: string | null | undefined, platform: Platform): string | number | bigint {
    if (value == null) return value as unknown as string;
    const minor = decimalToMinor(String(value));
    return this.isSqlite(platform) ? minor.toString() : fromMinorUnits(minor);
  }

  override convertToJSValue(value: string | number | bigint | null | undefined, platform: Platform): string {
    if (value == null) return value as unknown as string;
    if (this.isSqlite(platform)) return fromMinorUnits(BigInt(value));
    return fromMinorUnits(decimalToMinor(String(value)));
  }

  override getColumnType(_prop: unknown, platform: Platform): string {
    return this.isSqlite(platform) ? "integer" : `numeric(20,${MONEY_SCALE})`;
  }

  override compareAsType(): string {
    return "string";
  }
}

/** Any decimal string (sign allowed, up to MONEY_SCALE decimals) to minor units. */
export function decimalToMinor(value: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) throw new Error(`not a decimal amount: ${value}`);
  const fraction = (match[3] ?? "").replace(/0+$/, "");
  if (fraction.length > MONEY_SCALE) throw new Error(`more than ${MONEY_SCALE} decimals: ${value}`);
  const minor = BigInt(match[2]!) * 10n ** BigInt(MONEY_SCALE) + BigInt(fraction.padEnd(MONEY_SCALE, "0") || "0");
  return match[1] ? -minor : minor;
}
