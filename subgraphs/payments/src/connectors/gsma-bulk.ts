/**
 * GSMA Mobile Money API v1.2 bulk disbursement: one `POST /batchtransactions` per sub-batch (the READY
 * payments of one chunk for one provider) instead of one `POST /transactions/type/disbursement` per
 * payment, then `GET /requeststates/{serverCorrelationId}` until the batch is processed,
 * `GET /batchtransactions/{batchId}` (counts), `/completions` and, if any, `/rejections`.
 *
 * Exactly-once rests on two keys:
 * - the sub-batch's X-CorrelationID is derived from its content (payment ids, amounts and the attempt
 *   number): a chunk run again after a crash sends the same request with the same id, and the provider
 *   answers with the batch it already has; a retry of failed payments (next attempt) is a new batch;
 * - each item carries our payment id as `requestingOrganisationTransactionReference`, which the
 *   provider must de-duplicate on and answer `GET /responses/{reference}` for (the contract we ask of a
 *   provider before turning bulk on; the simulator does both). An item already paid in another batch
 *   comes back among the completions with its original transaction.
 * A 5xx, timeout or lost connection is followed by `GET /responses/{X-CorrelationID}` before any resend
 * (404 → never received → send again; found → follow it); no trustworthy answer → every item UNKNOWN,
 * settled later by the per-payment status query.
 */
import { createHash } from "node:crypto";
import type { Instruction, Outcome, StatusAnswer } from "./types";

type Json = Record<string, any>;

export interface HttpAnswer {
  status: number;
  body: any;
}

/** What the bulk path needs from the connector that owns the HTTP pool. */
export interface BulkTransport {
  call(method: "GET" | "POST", path: string, correlationId: string, body?: Json): Promise<HttpAnswer>;
  statusOne(id: string): Promise<StatusAnswer>;
  itemBody(i: Instruction): Json;
  maxSendAttempts: number;
  /** How long to wait for the provider to finish processing a batch before parking it UNKNOWN. */
  waitMs: number;
}

/**
 * The sub-batch's X-CorrelationID: a UUID (the GSMA header pattern) made from a SHA-256 over what is
 * sent, so the same instructions at the same attempt always give the same id.
 */
export function gsmaBatchCorrelationId(instructions: Instruction[]): string {
  const h = createHash("sha256").update("gsma-batch:v1", "utf8");
  for (const i of instructions) h.update(`\n${i.id}|${i.amount}|${i.currency}|${i.attempt ?? 0}`, "utf8");
  const hex = h.digest("hex");
  // Version nibble 8 (RFC 9562 "custom"), variant 10xx: a well-formed UUID that says it is not random.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function gsmaBatchBody(correlationId: string, instructions: Instruction[], itemBody: (i: Instruction) => Json): Json {
  return {
    batchTitle: `G2P sub-batch ${correlationId}`,
    batchdescription: `${instructions.length} disbursements`,
    transactions: instructions.map((i) => ({ ...itemBody(i), type: "disbursement" })),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function problemOf(answer: HttpAnswer): string {
  const b = answer.body as Json | null;
  return b?.errorCategory ? `${b.errorCategory}.${b.errorCode}${b.errorDescription ? `: ${b.errorDescription}` : ""}` : `HTTP ${answer.status}`;
}

/** Sends instructions as one GSMA batch; every instruction gets exactly one outcome. */
export async function sendGsmaBatch(t: BulkTransport, instructions: Instruction[]): Promise<Outcome[]> {
  const correlationId = gsmaBatchCorrelationId(instructions);
  const all = (make: (i: Instruction) => Outcome) => instructions.map(make);
  let lastProblem = "";
  for (let attempt = 1; attempt <= t.maxSendAttempts; attempt++) {
    let state: Json | null = null;
    try {
      const answer = await t.call("POST", "batchtransactions", correlationId, gsmaBatchBody(correlationId, instructions, t.itemBody));
      if (answer.status === 202 || answer.status === 200 || answer.status === 201) state = answer.body as Json;
      else if (answer.status >= 400 && answer.status < 500) {
        const reason = `provider refused the batch: ${problemOf(answer)}`;
        return all((i) => ({ id: i.id, status: "FAILED", reason }));
      } else lastProblem = problemOf(answer);
    } catch (err) {
      lastProblem = `no answer: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (!state) {
      // Did the provider get it? Ask before sending again.
      const known = await findRequest(t, correlationId);
      if (known === "not_found") continue;
      if (known === null) return all((i) => ({ id: i.id, status: "UNKNOWN", reason: `batch ${correlationId}: ${lastProblem}; status query unanswered` }));
      state = known;
    }
    const deadline = Date.now() + t.waitMs;
    const batchId = await untilProcessed(t, correlationId, state);
    const summary = batchId ? await untilCompleted(t, correlationId, batchId, deadline) : null;
    if (!batchId || !summary) return all((i) => ({ id: i.id, status: "UNKNOWN", reason: `batch ${batchId ?? correlationId} not processed within ${t.waitMs} ms` }));
    return outcomesOf(t, correlationId, batchId, summary, instructions);
  }
  return all((i) => ({ id: i.id, status: "FAILED", reason: `provider did not accept the batch after ${t.maxSendAttempts} attempts (${lastProblem})` }));
}

/** `GET /responses/{X-CorrelationID}`: the request state it links to, "not_found", or null (no answer). */
async function findRequest(t: BulkTransport, correlationId: string): Promise<Json | "not_found" | null> {
  try {
    const r = await t.call("GET", `responses/${encodeURIComponent(correlationId)}`, correlationId);
    if (r.status === 404) return "not_found";
    const link = (r.body as Json | null)?.link;
    if (r.status !== 200 || typeof link !== "string") return null;
    // The link names the batch itself (`/batchtransactions/{batchId}`): processed or not, its GET says.
    const m = /batchtransactions\/([^/?]+)/.exec(link);
    return m ? { status: "pending", objectReference: decodeURIComponent(m[1]!) } : null;
  } catch {
    return null;
  }
}

/** The provider's batchId: from the request state, or by polling it (20 ms doubling to 500 ms) until it names one. */
async function untilProcessed(t: BulkTransport, correlationId: string, state: Json): Promise<string | null> {
  const deadline = Date.now() + t.waitMs;
  let wait = 20;
  for (;;) {
    if (state.objectReference) return String(state.objectReference);
    if (state.status === "failed" || Date.now() > deadline || !state.serverCorrelationId) return null;
    await sleep(wait);
    wait = Math.min(wait * 2, 500);
    try {
      const r = await t.call("GET", `requeststates/${encodeURIComponent(String(state.serverCorrelationId))}`, correlationId);
      if (r.status === 200 && r.body) state = r.body as Json;
    } catch {
      // keep polling until the deadline
    }
  }
}

/** `GET /batchtransactions/{batchId}` until its batchStatus is completed (or the deadline): the summary, or null. */
async function untilCompleted(t: BulkTransport, correlationId: string, batchId: string, deadline: number): Promise<Json | null> {
  let wait = 20;
  for (;;) {
    try {
      const r = await t.call("GET", `batchtransactions/${encodeURIComponent(batchId)}`, correlationId);
      if (r.status === 200 && (r.body as Json | null)?.batchStatus === "completed") return r.body as Json;
    } catch {
      // keep asking until the deadline
    }
    if (Date.now() > deadline) return null;
    await sleep(wait);
    wait = Math.min(wait * 2, 500);
  }
}

/** Reads one of the batch's lists in pages (limit/offset, X-Records-Available-Count). */
async function pages(t: BulkTransport, correlationId: string, path: string, expected: number): Promise<Json[] | null> {
  const out: Json[] = [];
  const limit = Math.max(1, Math.min(expected, 1000));
  while (out.length < expected) {
    const r = await t.call("GET", `${path}?limit=${limit}&offset=${out.length}`, correlationId);
    if (r.status !== 200 || !Array.isArray(r.body)) return null;
    out.push(...(r.body as Json[]));
    if ((r.body as Json[]).length === 0) break;
  }
  return out;
}

async function outcomesOf(t: BulkTransport, correlationId: string, batchId: string, summary: Json, instructions: Instruction[]): Promise<Outcome[]> {
  const id = encodeURIComponent(batchId);
  let completions: Json[] | null = null;
  let rejections: Json[] | null = [];
  try {
    completions = await pages(t, correlationId, `batchtransactions/${id}/completions`, Number(summary.completedCount ?? instructions.length));
    if (Number(summary.rejectionCount ?? 0) > 0) rejections = await pages(t, correlationId, `batchtransactions/${id}/rejections`, Number(summary.rejectionCount));
  } catch {
    completions = null;
  }
  const done = new Map<string, Outcome>();
  for (const c of completions ?? []) {
    const ref = String(c.requestingOrganisationTransactionReference ?? "");
    if (ref) done.set(ref, { id: ref, status: "COMPLETED", reference: c.transactionReference ?? null });
  }
  for (const r of rejections ?? []) {
    const ref = String(r.requestingOrganisationTransactionReference ?? "");
    if (ref && !done.has(ref)) done.set(ref, { id: ref, status: "FAILED", reason: `provider rejected it in batch ${batchId}: ${r.rejectionReason}`, reference: r.transactionReference ?? null });
  }
  // Anything the lists did not account for is asked about one by one (normally none).
  return Promise.all(
    instructions.map(async (i): Promise<Outcome> => {
      const known = done.get(i.id);
      if (known) return known;
      const s = await t.statusOne(i.id);
      if (s.status === "COMPLETED") return { id: i.id, status: "COMPLETED", reference: s.reference ?? null };
      if (s.status === "FAILED") return { id: i.id, status: "FAILED", reason: s.reason ?? "provider: failed", reference: s.reference ?? null };
      return { id: i.id, status: "UNKNOWN", reason: `batch ${batchId} did not report it (${completions === null ? "lists unreadable" : "missing from the lists"}); status: ${s.reason ?? s.status}` };
    }),
  );
}
