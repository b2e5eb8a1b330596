/**
 * One fault scenario: load through the gateway (reads over every subgraph + idempotent batch writes
 * retried with their client id), a fault injected after a warm-up, then the figures: outage as
 * clients saw it, time to the first good answer after the repair, error codes, and the rows in the
 * database against the writes the clients were told succeeded.
 */
import { codeCounts, createBatch, fixture, readOne, readPage, runLoad, settlePending, summarize, type Attempt, type KindSummary } from "./load";
import { sleep, type ProcessStack } from "./infra";
import { dataOf } from "@g2p/kit";

export interface FaultFigures {
  scenario: string;
  /** ms: the fault began / the repair (restart) began / the repaired component was up again. */
  faultAt: number;
  repairAt: number;
  upAt: number;
  /** ms the clients saw failures: first to last failed attempt. */
  clientOutageMs: number;
  /** ms from "up again" to the first successful write. */
  recoveryMs: number;
  attempts: number;
  failedAttempts: number;
  errorCodes: Record<string, number>;
  failuresBeforeFault: number;
  failuresAfterRecovery: number;
  writesAcked: number;
  batchRows: number;
  rowsLost: number;
  rowsDoubled: number;
  perKind: KindSummary[];
  sampleFailures: Pick<Attempt, "t" | "kind" | "codes" | "message">[];
}

export async function allBatches(stack: ProcessStack, admin: { role: "admin" }): Promise<{ clientCorrelationId: string; id: string; paymentCount: number }[]> {
  const out: { clientCorrelationId: string; id: string; paymentCount: number }[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = dataOf(
      await stack.request(
        `query ($after: String) { disbursementBatches(first: 100, after: $after) { nodes { id clientCorrelationId paymentCount } pageInfo { hasNextPage endCursor } } }`,
        { after },
        admin,
      ),
    ).disbursementBatches;
    out.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
  }
}

export async function faultUnderLoad(opts: {
  scenario: string;
  stack: ProcessStack;
  concurrency?: number;
  warmupMs?: number;
  afterMs?: number;
  /** Injects the fault and repairs it; returns when it is repaired, with the three instants (Date.now()). */
  inject: () => Promise<{ faultAt: number; repairAt: number; upAt: number }>;
  /** After this long past `upAt`, every attempt must succeed. */
  graceMs?: number;
}): Promise<FaultFigures> {
  const { stack } = opts;
  const concurrency = opts.concurrency ?? 8;
  const f = await fixture(stack.gatewayUrl, 10);
  const acked = new Map<string, string[]>();
  const batch = createBatch(f, opts.scenario, acked);
  const signal = { stopped: false };
  const t0 = Date.now();
  const load = runLoad({ concurrency, durationMs: 10 * 60_000, ops: [readPage(f), readOne(f), { ...batch, weight: 2 }], signal });
  await sleep(opts.warmupMs ?? 4_000);
  const marks = await opts.inject();
  await sleep(opts.afterMs ?? 6_000);
  signal.stopped = true;
  const run = await load;
  await settlePending(batch, concurrency);

  const faultAt = marks.faultAt - t0;
  const repairAt = marks.repairAt - t0;
  const upAt = marks.upAt - t0;
  const failed = run.attempts.filter((a) => !a.ok);
  const end = (a: Attempt) => a.t + a.ms;
  const firstWriteOk = run.attempts.filter((a) => a.ok && a.kind === batch.kind && a.t >= upAt).sort((a, b) => a.t - b.t)[0];
  const grace = opts.graceMs ?? 2_000;
  const rows = await allBatches(stack, { role: "admin" });
  const byClient = new Map<string, number>();
  for (const r of rows) byClient.set(r.clientCorrelationId, (byClient.get(r.clientCorrelationId) ?? 0) + 1);
  const mine = rows.filter((r) => r.clientCorrelationId.startsWith(`${opts.scenario}-`));
  const lost = [...acked.keys()].filter((k) => !byClient.has(k)).length;
  const doubled = [...byClient.values()].filter((n) => n > 1).length + [...acked.values()].filter((ids) => new Set(ids).size > 1).length;
  return {
    scenario: opts.scenario,
    faultAt,
    repairAt,
    upAt,
    clientOutageMs: failed.length ? Math.max(...failed.map(end)) - Math.min(...failed.map((a) => a.t)) : 0,
    recoveryMs: firstWriteOk ? end(firstWriteOk) - upAt : NaN,
    attempts: run.attempts.length,
    failedAttempts: failed.length,
    errorCodes: codeCounts(run.attempts),
    failuresBeforeFault: failed.filter((a) => end(a) < faultAt).length,
    failuresAfterRecovery: failed.filter((a) => a.t > upAt + grace).length,
    writesAcked: acked.size,
    batchRows: mine.length,
    rowsLost: lost,
    rowsDoubled: doubled,
    perKind: summarize(run.attempts),
    sampleFailures: failed.slice(0, 5).map(({ t, kind, codes, message }) => ({ t, kind, codes, message: message?.slice(0, 160) })),
  };
}

export function report(f: FaultFigures): string {
  return [
    `fault scenario "${f.scenario}":`,
    `  fault at ${f.faultAt} ms, repair began ${f.repairAt} ms, up again ${f.upAt} ms (down ${f.upAt - f.faultAt} ms)`,
    `  clients saw failures for ${f.clientOutageMs} ms; first good write ${f.recoveryMs} ms after it was up`,
    `  ${f.attempts} requests, ${f.failedAttempts} failed: ${JSON.stringify(f.errorCodes)}; before the fault ${f.failuresBeforeFault}, after recovery ${f.failuresAfterRecovery}`,
    `  writes acknowledged ${f.writesAcked}, batch rows ${f.batchRows}, lost ${f.rowsLost}, doubled ${f.rowsDoubled}`,
    ...f.perKind.map((k) => `  ${k.kind}: ${k.requests} req, ${k.errors} errors, p50 ${k.p50} ms, p99 ${k.p99} ms`),
    ...f.sampleFailures.map((s) => `  e.g. t=${s.t} ${s.kind} ${s.codes.join(",")} ${s.message ?? ""}`),
  ].join("\n");
}
