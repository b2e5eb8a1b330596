/**
 * Bulk eligibility evaluation: streams registrants from the registry through the graph, page after
 * page, evaluates the program's criteria and score (snapshotted in the payload, so every chunk uses
 * the same rules), and upserts enrollments in multi-row statements. Manual overrides and manual
 * states (PAUSED, EXITED, DUPLICATED) are kept; the explanation is always refreshed.
 */
import type { JobDefinition } from "@g2p/kit";
import { eligibilityConfig } from "../config";
import { EnrollmentState } from "../entities/enrollment.entity";
import type { TargetKind } from "../entities/program.entity";
import { householdSizeOf, toFacts } from "../services/facts";
import { registrySource, type RegistrantPage } from "../services/registry-source";
import { celEnvironment, compileProgram, type Criterion, type Scoring } from "../services/rules";
import { bulkCache, dbDate, idRanges, insertRows, orderedIds, run, table } from "../services/sql";

export interface EvaluationPayload {
  runId: string;
  programId: string;
  target: TargetKind;
  criteria: Criterion[];
  scoring: Scoring | null;
  /** ISO date ages are computed on. */
  asOf: string;
  chunks: number;
  pageSize: number;
}

export interface IdRange {
  after: string | null;
  until: string | null;
  /** Registrants the plan expects in this range (absent when it could not estimate). */
  expected?: number;
}

/**
 * At most this many registrants per chunk: a chunk holds its decided rows in memory between
 * `prepare` and its commit (~1 KB each with the explanation), so the plan adds chunks for a large
 * registry whatever `chunks` asked for.
 */
export const MAX_CHUNK_REGISTRANTS = 10_000;
/** The most chunks the plan makes (the `chunks` argument's upper bound too). */
const MAX_CHUNKS = 4096;

export const EVALUATION_JOB = "eligibility.evaluate";

const UPSERT_COLUMNS =
  "(id, program_id, registrant_id, state, score, explanation, evaluation_error, household_size, evaluated_at, last_run_id, created_at)";
const UPSERT_TAIL =
  "on conflict (program_id, registrant_id) do update set " +
  "state = case when enrollment.overridden_at is null and enrollment.state in ('DRAFT', 'ENROLLED', 'NOT_ELIGIBLE') then excluded.state else enrollment.state end, " +
  "score = excluded.score, explanation = excluded.explanation, evaluation_error = excluded.evaluation_error, " +
  "household_size = excluded.household_size, evaluated_at = excluded.evaluated_at, last_run_id = excluded.last_run_id";

/** A chunk's decisions, computed before its transaction: the enrollment rows and the run's counters. */
export interface EvaluatedChunk {
  rows: unknown[][];
  processed: number;
  eligible: number;
  notEligible: number;
  errors: number;
}

export const evaluationJob: JobDefinition<EvaluationPayload, IdRange, EvaluatedChunk> = {
  name: EVALUATION_JOB,
  maxAttempts: 3,
  backoffMs: 500,
  async plan(payload, { log }) {
    const estimate = await estimateRegistrants(payload).catch((err: unknown) => {
      // Planning must not fail on a registry hiccup (a failed plan is not retried): the chunks asked
      // for still cover every registrant, only without the size bound.
      log.warn({ err: err instanceof Error ? err.message : String(err) }, "eligibility: could not estimate the registry's size");
      return null;
    });
    if (estimate === null) return idRanges(payload.chunks);
    const chunks = Math.min(MAX_CHUNKS, Math.max(payload.chunks, Math.ceil(estimate / MAX_CHUNK_REGISTRANTS)));
    const expected = Math.ceil(estimate / chunks);
    return idRanges(chunks).map((range) => ({ ...range, expected }));
  },
  /**
   * Outside the chunk's transaction: fetch the range's pages through the graph and decide. On SQLite
   * the one connection is then free for another chunk's writes while this one waits for the registry.
   * Holds the chunk's rows (not the registrants) until the commit.
   */
  async prepare(range, payload, { em }) {
    const extraSchema = eligibilityConfig().ELIGIBILITY_EXTRA_ATTRIBUTES;
    const engine = compileProgram(celEnvironment(extraSchema), payload.criteria, payload.scoring);
    const asOf = new Date(`${payload.asOf}T00:00:00Z`);
    const source = registrySource();
    const now = dbDate(em, new Date());
    const out: EvaluatedChunk = { rows: [], processed: 0, eligible: 0, notEligible: 0, errors: 0 };
    // New enrollments get time-ordered ids (existing ones keep theirs: the upsert does not touch id).
    const nextId = orderedIds();
    let fetched = 0;
    const fetchPage = (after: string | null) => source.page({ first: pageSizeFor(range, payload.pageSize, fetched), after, kind: payload.target });
    // One page ahead: the registry prepares page n+1 while this page is evaluated.
    let next: Promise<RegistrantPage> | null = fetchPage(range.after);
    while (next) {
      const page: RegistrantPage = await next;
      next = null;
      fetched += page.nodes.length;
      const more = page.hasNextPage && page.endCursor !== null && (range.until === null || page.nodes.every((n) => n.id < range.until!));
      if (more) {
        next = fetchPage(page.endCursor);
        next.catch(() => undefined); // surfaced when awaited
      }
      for (const r of page.nodes) {
        if (range.until !== null && r.id >= range.until) break; // pages are ordered by id
        const decision = engine.decide(toFacts(r, asOf, extraSchema));
        let state: EnrollmentState;
        if (decision.eligible === null) {
          state = EnrollmentState.DRAFT;
          out.errors++;
        } else if (decision.eligible) {
          state = EnrollmentState.ENROLLED;
          out.eligible++;
        } else {
          state = EnrollmentState.NOT_ELIGIBLE;
          out.notEligible++;
        }
        out.rows.push([nextId(), payload.programId, r.id, state, decision.score, JSON.stringify(decision), decision.error, householdSizeOf(r), now, payload.runId, now]);
        out.processed++;
      }
    }
    return out;
  },
  /** In the chunk's transaction, with its DONE mark: the upserts and the run's counters, nothing slow. */
  async processChunk(_range, payload, { em, prepared }) {
    await bulkCache(em);
    if (prepared.rows.length > 0) await insertRows(em, `insert into ${table(em, "enrollment")} ${UPSERT_COLUMNS}`, 11, prepared.rows, UPSERT_TAIL, 1000);
    await run(
      em,
      `update ${table(em, "program_run")} set processed = processed + ?, eligible = eligible + ?, not_eligible = not_eligible + ?, errors = errors + ? where id = ?`,
      [prepared.processed, prepared.eligible, prepared.notEligible, prepared.errors, payload.runId],
    );
  },
};

/**
 * Registrants of the program's kind in the registry, estimated from its first page: ids are random
 * (version-4) UUIDs, so the share of the id space the first page covers is the share of registrants
 * it holds. Exact when everything fits in one page; null when the ids are not hexadecimal.
 */
async function estimateRegistrants(payload: EvaluationPayload): Promise<number | null> {
  const page = await registrySource().page({ first: payload.pageSize, after: null, kind: payload.target });
  if (!page.hasNextPage) return page.nodes.length;
  const last = page.nodes.at(-1)?.id ?? "";
  if (!/^[0-9a-f]{8}/i.test(last)) return null;
  const covered = (parseInt(last.slice(0, 8), 16) + 1) / 0x100000000;
  return Math.ceil(page.nodes.length / covered);
}

/**
 * How many registrants to ask for next: what the range is still expected to hold plus a margin, so the
 * last page of a range does not bring a full page of registrants that belong to the next range (with
 * 4,000-registrant chunks and 5,000-node pages that was a quarter of all registry and gateway work).
 * The margin is four standard deviations of a range's count; past the estimate, full pages.
 */
export function pageSizeFor(range: IdRange, pageSize: number, fetched: number): number {
  if (!range.expected) return pageSize;
  const left = range.expected - fetched;
  if (left <= 0) return pageSize;
  return Math.min(pageSize, left + Math.ceil(4 * Math.sqrt(range.expected)) + 16);
}
