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
}

export const EVALUATION_JOB = "eligibility.evaluate";

const UPSERT_COLUMNS =
  "(id, program_id, registrant_id, state, score, explanation, evaluation_error, household_size, evaluated_at, last_run_id, created_at)";
const UPSERT_TAIL =
  "on conflict (program_id, registrant_id) do update set " +
  "state = case when enrollment.overridden_at is null and enrollment.state in ('DRAFT', 'ENROLLED', 'NOT_ELIGIBLE') then excluded.state else enrollment.state end, " +
  "score = excluded.score, explanation = excluded.explanation, evaluation_error = excluded.evaluation_error, " +
  "household_size = excluded.household_size, evaluated_at = excluded.evaluated_at, last_run_id = excluded.last_run_id";

export const evaluationJob: JobDefinition<EvaluationPayload, IdRange> = {
  name: EVALUATION_JOB,
  maxAttempts: 3,
  backoffMs: 500,
  async plan(payload) {
    return idRanges(payload.chunks);
  },
  async processChunk(range, payload, { em }) {
    const extraSchema = eligibilityConfig().ELIGIBILITY_EXTRA_ATTRIBUTES;
    const engine = compileProgram(celEnvironment(extraSchema), payload.criteria, payload.scoring);
    const asOf = new Date(`${payload.asOf}T00:00:00Z`);
    const source = registrySource();
    const now = dbDate(em, new Date());
    let processed = 0;
    let eligible = 0;
    let notEligible = 0;
    let errors = 0;
    // New enrollments get time-ordered ids (existing ones keep theirs: the upsert does not touch id).
    const nextId = orderedIds();
    await bulkCache(em);
    const fetchPage = (after: string | null) => source.page({ first: payload.pageSize, after, kind: payload.target });
    // One page ahead: the registry prepares page n+1 while this page is evaluated and written.
    // Memory stays bounded at two pages.
    let next: Promise<RegistrantPage> | null = fetchPage(range.after);
    while (next) {
      const page: RegistrantPage = await next;
      next = null;
      const more = page.hasNextPage && page.endCursor !== null && (range.until === null || page.nodes.every((n) => n.id < range.until!));
      if (more) {
        next = fetchPage(page.endCursor);
        next.catch(() => undefined); // surfaced when awaited
      }
      const nodes = range.until === null ? page.nodes : page.nodes.filter((n) => n.id < range.until!);
      const rows: unknown[][] = [];
      for (const r of nodes) {
        const decision = engine.decide(toFacts(r, asOf, extraSchema));
        let state: EnrollmentState;
        if (decision.eligible === null) {
          state = EnrollmentState.DRAFT;
          errors++;
        } else if (decision.eligible) {
          state = EnrollmentState.ENROLLED;
          eligible++;
        } else {
          state = EnrollmentState.NOT_ELIGIBLE;
          notEligible++;
        }
        rows.push([nextId(), payload.programId, r.id, state, decision.score, JSON.stringify(decision), decision.error, householdSizeOf(r), now, payload.runId, now]);
      }
      processed += nodes.length;
      if (rows.length > 0) await insertRows(em, `insert into ${table(em, "enrollment")} ${UPSERT_COLUMNS}`, 11, rows, UPSERT_TAIL, 1000);
    }
    await run(
      em,
      `update ${table(em, "program_run")} set processed = processed + ?, eligible = eligible + ?, not_eligible = not_eligible + ?, errors = errors + ? where id = ?`,
      [processed, eligible, notEligible, errors, payload.runId],
    );
  },
};
