/** Dashboard figures, each one grouped SQL statement per batch of keys (used through DataLoaders). */
import type { EntityManager } from "@mikro-orm/core";
import { decimalToMinor, fromMinorUnits } from "@g2p/kit";
import { isSqlite, query, table } from "./sql";

export interface StateCount {
  state: string;
  count: number;
}

export interface CycleTotals {
  entitlements: number;
  totalAmount: string;
  totalFee: string;
}

function placeholders(n: number): string {
  return new Array(n).fill("?").join(", ");
}

/** Sums of a MoneyType column come back as integer minor units (SQLite) or numeric strings (PostgreSQL). */
function sumToDecimal(em: EntityManager, value: unknown): string {
  if (value == null) return "0.00";
  return isSqlite(em) ? fromMinorUnits(BigInt(String(value))) : fromMinorUnits(decimalToMinor(String(value)));
}

export async function enrollmentCountsByProgram(em: EntityManager, programIds: readonly string[]): Promise<StateCount[][]> {
  const rows = await query<{ program_id: string; state: string; n: unknown }>(
    em,
    `select program_id, state, count(*) as n from ${table(em, "enrollment")} where program_id in (${placeholders(programIds.length)}) group by program_id, state order by state`,
    [...programIds],
  );
  const by = new Map<string, StateCount[]>(programIds.map((id) => [id, []]));
  for (const r of rows) by.get(r.program_id)?.push({ state: r.state, count: Number(r.n) });
  return programIds.map((id) => by.get(id)!);
}

export async function cycleTotals(em: EntityManager, cycleIds: readonly string[]): Promise<CycleTotals[]> {
  const rows = await query<{ cycle_id: string; n: unknown; amount: unknown; fee: unknown }>(
    em,
    `select cycle_id, count(*) as n, sum(amount) as amount, sum(fee) as fee from ${table(em, "entitlement")} where cycle_id in (${placeholders(cycleIds.length)}) group by cycle_id`,
    [...cycleIds],
  );
  const by = new Map(rows.map((r) => [r.cycle_id, r]));
  return cycleIds.map((id) => {
    const r = by.get(id);
    return { entitlements: Number(r?.n ?? 0), totalAmount: sumToDecimal(em, r?.amount), totalFee: sumToDecimal(em, r?.fee) };
  });
}
