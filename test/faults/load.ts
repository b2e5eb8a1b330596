/**
 * A closed-loop load client (N workers, each sending its next request when the last one answered)
 * and the operations the fault and load runs mix, all through the gateway. Every attempt is kept
 * (time, kind, outcome, error codes), so a run can be cut into before / during / after a fault.
 */
import { tokenFor } from "@g2p/kit";

export interface Attempt {
  /** ms since the run started */
  t: number;
  kind: string;
  ok: boolean;
  ms: number;
  status: number;
  codes: string[];
  message?: string;
}

export interface OpResult {
  ok: boolean;
  status: number;
  codes: string[];
  message?: string;
}

export interface Op {
  kind: string;
  weight: number;
  run(worker: number, seq: number): Promise<OpResult>;
}

export interface LoadRun {
  startedAt: number;
  attempts: Attempt[];
  durationMs: number;
}

export async function post(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: { errors: [{ message: text.slice(0, 200), extensions: { code: `HTTP_${res.status}` } }] } };
  }
}

/** ok = HTTP 200, no errors and the wanted field present. */
export function outcome(r: { status: number; body: any }, field: string): OpResult {
  const errors: any[] = r.body?.errors ?? [];
  const codes = errors.map((e) => String(e?.extensions?.code ?? "NO_CODE"));
  const ok = r.status === 200 && errors.length === 0 && r.body?.data?.[field] != null;
  return { ok, status: r.status, codes, message: errors[0]?.message };
}

/** Runs `ops` (picked by weight) from `concurrency` workers until `durationMs` passed or `stop()` is called. */
export async function runLoad(opts: { concurrency: number; durationMs: number; ops: Op[]; signal?: { stopped: boolean } }): Promise<LoadRun> {
  const startedAt = Date.now();
  const attempts: Attempt[] = [];
  const total = opts.ops.reduce((s, o) => s + o.weight, 0);
  const pick = (r: number) => {
    let acc = 0;
    for (const o of opts.ops) if ((acc += o.weight) > r * total) return o;
    return opts.ops[opts.ops.length - 1]!;
  };
  const worker = async (w: number) => {
    let seq = 0;
    while (Date.now() - startedAt < opts.durationMs && !opts.signal?.stopped) {
      const op = pick(Math.random());
      const t0 = Date.now();
      let res: OpResult;
      try {
        res = await op.run(w, seq++);
      } catch (err) {
        res = { ok: false, status: 0, codes: ["CLIENT_ERROR"], message: err instanceof Error ? err.message : String(err) };
      }
      attempts.push({ t: t0 - startedAt, kind: op.kind, ms: Date.now() - t0, ...res });
      if (!res.ok) await new Promise((r) => setTimeout(r, 50)); // no hot loop against a dead subgraph
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
  return { startedAt, attempts, durationMs: Date.now() - startedAt };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface KindSummary {
  kind: string;
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(attempts: Attempt[]): KindSummary[] {
  const kinds = [...new Set(attempts.map((a) => a.kind))].sort();
  return kinds.map((kind) => {
    const mine = attempts.filter((a) => a.kind === kind);
    const ms = mine.map((a) => a.ms).sort((a, b) => a - b);
    return { kind, requests: mine.length, errors: mine.filter((a) => !a.ok).length, p50: percentile(ms, 50), p99: percentile(ms, 99), max: ms[ms.length - 1] ?? NaN };
  });
}

export function codeCounts(attempts: Attempt[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of attempts) for (const c of a.ok ? [] : a.codes.length ? a.codes : [`HTTP_${a.status}`]) out[c] = (out[c] ?? 0) + 1;
  return out;
}

// ---------------------------------------------------------------------------------------------
// The operations

export interface GraphFixture {
  url: string;
  admin: string;
  registrantIds: string[];
}

export async function fixture(url: string, seedRegistrants = 20): Promise<GraphFixture> {
  const admin = await tokenFor("admin", { sub: "load-admin" });
  const registrantIds: string[] = [];
  for (let i = 0; i < seedRegistrants; i++) {
    const r = await post(url, admin, `mutation ($i: CreateRegistrantInput!) { createRegistrant(input: $i) { id } }`, { i: { kind: "GROUP", groupName: `Load household ${i}` } });
    if (!r.body?.data?.createRegistrant) throw new Error(`seeding failed: ${JSON.stringify(r.body)}`);
    registrantIds.push(r.body.data.createRegistrant.id);
  }
  return { url, admin, registrantIds };
}

const READ_PAGE = `query { registrants(first: 10) { totalCount nodes { id kind groupName identity { status } enrollments { state } payments { amount status } vouchers { status } } } }`;
const READ_ONE = `query ($id: ID!) { registrant(id: $id) { id groupName history { action } payments { amount } } }`;
const CREATE_BATCH = `mutation ($i: CreateDisbursementBatchInput!) { createDisbursementBatch(input: $i) { id paymentCount } }`;
const CREATE_REGISTRANT = `mutation ($i: CreateRegistrantInput!) { createRegistrant(input: $i) { id } }`;
const UPDATE_REGISTRANT = `mutation ($id: ID!, $i: UpdateRegistrantInput!) { updateRegistrant(id: $id, input: $i) { id } }`;

const any = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;

export function readPage(f: GraphFixture): Op {
  return { kind: "read:registrants(first:10)+4 subgraphs", weight: 4, run: async () => outcome(await post(f.url, f.admin, READ_PAGE), "registrants") };
}

export function readOne(f: GraphFixture): Op {
  return { kind: "read:registrant+history+payments", weight: 3, run: async () => outcome(await post(f.url, f.admin, READ_ONE, { id: any(f.registrantIds) }), "registrant") };
}

export function updateRegistrant(f: GraphFixture): Op {
  return {
    kind: "write:updateRegistrant",
    weight: 1,
    run: async (w, seq) => outcome(await post(f.url, f.admin, UPDATE_REGISTRANT, { id: any(f.registrantIds), i: { groupName: `Renamed ${w}-${seq}` } }), "updateRegistrant"),
  };
}

/** Creates registrants; `created` collects the ids acknowledged. */
export function createRegistrant(f: GraphFixture, created: string[]): Op {
  return {
    kind: "write:createRegistrant",
    weight: 1,
    run: async (w, seq) => {
      const r = await post(f.url, f.admin, CREATE_REGISTRANT, { i: { kind: "GROUP", groupName: `New ${w}-${seq}` } });
      const res = outcome(r, "createRegistrant");
      if (res.ok) created.push(r.body.data.createRegistrant.id);
      return res;
    },
  };
}

/**
 * Idempotent writes: a disbursement batch per client id (clientCorrelationId). A worker whose last
 * attempt failed retries the same id, as a careful partner system would; `acked` maps each client id
 * to the batch id the graph answered with (an id answered twice with two batch ids = a doubled write).
 */
export function createBatch(f: GraphFixture, tag: string, acked: Map<string, string[]>): Op {
  const pending = new Map<number, string>();
  return {
    kind: "write:createDisbursementBatch",
    weight: 1,
    run: async (w, seq) => {
      const clientId = pending.get(w) ?? `${tag}-${w}-${seq}`;
      pending.set(w, clientId);
      const r = await post(f.url, f.admin, CREATE_BATCH, { i: { clientCorrelationId: clientId, currency: "KES", payments: [{ registrantId: f.registrantIds[w % f.registrantIds.length], amount: "10.00" }] } });
      const res = outcome(r, "createDisbursementBatch");
      if (res.ok) {
        pending.delete(w);
        acked.set(clientId, [...(acked.get(clientId) ?? []), r.body.data.createDisbursementBatch.id]);
      }
      return res;
    },
  };
}

/** Retries the ids still pending (a worker's last attempt failed when the run ended) until answered. */
export async function settlePending(op: Op, workers: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let w = 0; w < workers; w++) {
    for (;;) {
      const r = await op.run(w, -1).catch(() => ({ ok: false }) as OpResult);
      if (r.ok) break;
      if (Date.now() > deadline) throw new Error(`worker ${w}: pending write still failing`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }
}
