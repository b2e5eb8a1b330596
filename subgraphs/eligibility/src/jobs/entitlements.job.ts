/**
 * Entitlement generation for a cycle: walks the program's ENROLLED enrollments by id range (keyset,
 * pages of 5,000), applies the formula in exact minor units and inserts entitlements with
 * `ON CONFLICT (cycle_id, registrant_id) DO NOTHING`, so re-running adds nothing twice.
 */
import type { JobDefinition } from "@g2p/kit";
import { fromMinorUnits } from "@g2p/kit";
import { compileFormula, type EntitlementFormula } from "../services/formula";
import type { EntityManager } from "@mikro-orm/core";
import { decimalToMinor } from "@g2p/kit";
import { bulkCache, dbDate, dbMoney, idRanges, insertRows, isSqlite, orderedIdPrefix, orderedIds, query, run, table } from "../services/sql";
import type { IdRange } from "./evaluation.job";

export interface GenerationPayload {
  runId: string;
  cycleId: string;
  programId: string;
  currency: string;
  formula: EntitlementFormula;
  validFrom: string;
  validUntil: string;
  chunks: number;
}

export const GENERATION_JOB = "eligibility.entitlements";
const PAGE = 5000;

const INSERT_COLUMNS =
  "(id, cycle_id, program_id, registrant_id, enrollment_id, amount, fee, currency, items, valid_from, valid_until, created_at)";
const INSERT_TAIL = "on conflict (cycle_id, registrant_id) do nothing";

export const generationJob: JobDefinition<GenerationPayload, IdRange> = {
  name: GENERATION_JOB,
  maxAttempts: 3,
  backoffMs: 500,
  async plan(payload) {
    return idRanges(payload.chunks);
  },
  async processChunk(range, payload, { em }) {
    if (payload.formula.items.length === 0) return generateInSql(em, range, payload);
    const formula = compileFormula(payload.formula);
    const fee = dbMoney(em, fromMinorUnits(formula.fee));
    const hasItems = payload.formula.items.length > 0;
    const now = dbDate(em, new Date());
    const nextId = orderedIds();
    await bulkCache(em);
    let after = range.after;
    let processed = 0;
    let created = 0;
    for (;;) {
      const where = ["program_id = ?", "state = 'ENROLLED'"];
      const params: unknown[] = [payload.programId];
      if (after !== null) {
        where.push("id > ?");
        params.push(after);
      }
      if (range.until !== null) {
        where.push("id < ?");
        params.push(range.until);
      }
      const rows = await query<{ id: string; registrant_id: string; household_size: number }>(
        em,
        `select id, registrant_id, household_size from ${table(em, "enrollment")} where ${where.join(" and ")} order by id limit ${PAGE}`,
        params,
      );
      if (rows.length === 0) break;
      const inserts = rows.map((e) => {
        const members = Number(e.household_size);
        return [
          nextId(),
          payload.cycleId,
          payload.programId,
          e.registrant_id,
          e.id,
          dbMoney(em, fromMinorUnits(formula.amount(members))),
          fee,
          payload.currency,
          hasItems ? JSON.stringify(formula.items(members)) : null,
          payload.validFrom,
          payload.validUntil,
          now,
        ];
      });
      created += await insertRows(em, `insert into ${table(em, "entitlement")} ${INSERT_COLUMNS}`, 12, inserts, INSERT_TAIL, 1000);
      processed += rows.length;
      if (rows.length < PAGE) break;
      after = rows.at(-1)!.id;
    }
    await run(em, `update ${table(em, "program_run")} set processed = processed + ?, created = created + ? where id = ?`, [processed, created, payload.runId]);
  },
};

/**
 * Cash-only formulas: one `INSERT … SELECT` per chunk, the formula evaluated by the database in exact
 * integers (minor units; numeric on PostgreSQL), so no row travels through JavaScript.
 */
async function generateInSql(em: EntityManager, range: IdRange, payload: GenerationPayload): Promise<void> {
  const sqlite = isSqlite(em);
  const f = payload.formula;
  const base = decimalToMinor(f.baseAmount).toString();
  const per = decimalToMinor(f.perMemberAmount).toString();
  const fee = decimalToMinor(f.feeAmount).toString();
  const members = f.memberCap == null ? "household_size" : sqlite ? "min(household_size, ?)" : "least(household_size, ?::int)";
  const amount = sqlite ? `(cast(? as integer) + cast(? as integer) * ${members})` : `((?::bigint + ?::bigint * ${members})::numeric / 100)`;
  const feeExpr = sqlite ? "cast(? as integer)" : "(?::bigint::numeric / 100)";
  const where = ["program_id = ?", "state = 'ENROLLED'"];
  const whereParams: unknown[] = [payload.programId];
  if (range.after !== null) {
    where.push("id > ?");
    whereParams.push(range.after);
  }
  if (range.until !== null) {
    where.push("id < ?");
    whereParams.push(range.until);
  }
  const enrollment = table(em, "enrollment");
  // The chunk's rows sorted by registrant: the unique (cycle_id, registrant_id) and registrant_id
  // indexes are then written in key order, and the ids (time-ordered, see orderedIdPrefix) in order too.
  const prefix = orderedIdPrefix();
  const idExpr = sqlite
    ? `? || printf('%08x', row_number() over (order by registrant_id))`
    : `(?::text || lpad(to_hex(row_number() over (order by registrant_id)), 8, '0'))::uuid`;
  await bulkCache(em);
  const selectParams: unknown[] = [prefix, payload.cycleId, payload.programId, base, per];
  if (f.memberCap != null) selectParams.push(f.memberCap);
  selectParams.push(fee, payload.currency, payload.validFrom, payload.validUntil, dbDate(em, new Date()));
  const created = await run(
    em,
    `insert into ${table(em, "entitlement")} ${INSERT_COLUMNS} ` +
      `select ${idExpr}, ?, ?, registrant_id, id, ${amount}, ${feeExpr}, ?, null, ?, ?, ? ` +
      `from ${enrollment} where ${where.join(" and ")} order by registrant_id ${INSERT_TAIL}`,
    [...selectParams, ...whereParams],
  );
  const [{ n }] = await query<{ n: unknown }>(em, `select count(*) as n from ${enrollment} where ${where.join(" and ")}`, whereParams);
  await run(em, `update ${table(em, "program_run")} set processed = processed + ?, created = created + ? where id = ?`, [Number(n), created, payload.runId]);
}
