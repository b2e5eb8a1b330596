/**
 * A simulated mobile-money provider speaking the GSMA Mobile Money API v1.2 (disbursements subset):
 * a real HTTP server on loopback (port 0).
 *
 *   POST /transactions/type/disbursement   X-CorrelationID required → 201 Transaction (or 202 RequestState in async mode)
 *   GET  /transactions/{transactionReference}
 *   GET  /requeststates/{serverCorrelationId}
 *   GET  /responses/{clientCorrelationId}  → { link } or 404
 *   GET  /heartbeat
 *   POST /batchtransactions                X-CorrelationID required → 202 RequestState (objectReference = batchId)
 *   GET  /batchtransactions/{batchId}      → responseBatchTransaction (batchStatus, completedCount, rejectionCount)
 *   GET  /batchtransactions/{batchId}/completions|rejections?limit&offset  (X-Records-Available-Count)
 *   GET  /responses/{X-CorrelationID of a batch} → { link: /batchtransactions/{batchId} }
 *
 * Bulk: a batch is keyed by its X-CorrelationID (the same again returns the same batch) and each item by
 * its `requestingOrganisationTransactionReference`, in the same namespace as single POSTs' X-CorrelationID:
 * an item already settled (singly or in another batch) is reported among the completions with its original
 * transaction and counted in `duplicates`, never settled again; `GET /responses/{reference}` answers for
 * items as for single transfers. Faults apply per batch (latencyMs, errorRate → 503 not processed,
 * timeoutRate → processed, answer late; `batchDelayMs` → pending that long before it is processed) and per
 * item (`itemLatencyMs` of processing each, `itemErrorRate` rejected, `rejectMsisdns` rejected).
 *
 * Callbacks (GSMA `X-Callback-URL`): a POST carrying the header is accepted with 202 and a request state
 * `pending` (notificationMethod `callback`); after `callbackDelayMs` the transaction completes (or fails,
 * for `failMsisdns`) and the simulator sends `PUT {X-Callback-URL}` with the Transaction (success) or an
 * errorObject (failure), headers X-Date, X-CorrelationID, X-Content-Hash (SHA-256 hex of the body). A
 * callback answered with 5xx or not at all is retried (`callbackRetries`, 50 ms doubling); `dropCallbacks`
 * loses them (the client must poll). Every delivery attempt is kept in `callbacks`.
 *
 * It settles each X-CorrelationID at most once (a repeat returns the original transaction) and
 * counts receipts per id, so tests can prove nobody is paid twice. Faults: latency, a rate of 503s
 * (request dropped, not processed), a rate of timeouts (request processed, answer delayed past the
 * client's timeout), and MSISDNs that the provider refuses (business-rule errors).
 */
import { createHash, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface MobileMoneyFaults {
  latencyMs?: number;
  /** Fraction (0..1) of POSTs answered 503 without processing them. */
  errorRate?: number;
  /** Fraction (0..1) of POSTs processed, then answered only after `timeoutDelayMs`. */
  timeoutRate?: number;
  timeoutDelayMs?: number;
  /** Answer POSTs with 202 + a request state (polling) instead of 201. */
  async?: boolean;
  /** MSISDNs refused with a business-rule error (e.g. an unregistered wallet). */
  rejectMsisdns?: string[];
  /** Fraction (0..1) of status queries (GET) answered 503. */
  statusErrorRate?: number;
  /** With X-Callback-URL: how long a transaction stays pending before it is final and called back (default 20 ms). */
  callbackDelayMs?: number;
  /** With X-Callback-URL: accept and settle, but never call back (lost callbacks). */
  dropCallbacks?: boolean;
  /** Re-deliveries of a callback answered 5xx or unreachable (default 3). */
  callbackRetries?: number;
  /** MSISDNs accepted, then failed asynchronously (a failure callback with an errorObject). */
  failMsisdns?: string[];
  /** Bulk: a batch stays pending this long before its items are processed (default 0: processed at once). */
  batchDelayMs?: number;
  /** Bulk: processing time per item, added to the batch (default 0). */
  itemLatencyMs?: number;
  /** Bulk: fraction (0..1) of items rejected (not paid) with a transient reason. */
  itemErrorRate?: number;
}

export interface SimBatch {
  batchId: string;
  correlationId: string;
  serverCorrelationId: string;
  batchStatus: "created" | "completed";
  title?: string;
  description?: string;
  itemCount: number;
  /** Payment references completed in this batch (their transactions are in `transactions`). */
  completions: string[];
  rejections: { reference?: string; creditParty: unknown[]; debitParty: unknown[]; rejectionReason: string; rejectionDate: string }[];
  creationDate: string;
  completionDate?: string;
}

export interface SimCallback {
  url: string;
  correlationId: string;
  body: Record<string, unknown>;
  /** HTTP status of the client's answer, or 0 when it could not be reached. */
  status: number;
  at: Date;
}

export interface SimTransaction {
  transactionReference: string;
  correlationId: string;
  serverCorrelationId: string;
  amount: string;
  currency: string;
  msisdn: string;
  /** The payer as the client gave it (responseTransaction requires debitParty). */
  debitParty: { key: string; value: string }[];
  transactionStatus: "pending" | "completed" | "failed";
  /** The X-Callback-URL given with the first POST, if any. */
  callbackUrl?: string;
  failure?: { errorCategory: string; errorCode: string; errorDescription: string };
  requestingOrganisationTransactionReference?: string;
  creationDate: string;
}

export interface MobileMoneySimulator {
  url: string;
  /** Settled transactions by X-CorrelationID. */
  transactions: Map<string, SimTransaction>;
  /** How many times each correlation id was settled (must never exceed 1). */
  settlements: Map<string, number>;
  /** Every request received (all methods, including faulted ones). */
  requests: number;
  /** POSTs that repeated a known correlation id. */
  duplicates: number;
  /** Every JSON body posted, for schema validation in tests. */
  bodies: unknown[];
  /** Every callback delivery attempt (bodies for schema validation). */
  callbacks: SimCallback[];
  /** Batches received (bulk), by batchId. */
  batches: Map<string, SimBatch>;
  /** Sends a transaction's callback again (a provider's duplicate delivery); resolves with the client's HTTP status. */
  resendCallback(correlationId: string): Promise<number>;
  setFaults(f: MobileMoneyFaults): void;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startMobileMoneySimulator(initial: MobileMoneyFaults = {}, opts: { keepBodies?: boolean } = {}): Promise<MobileMoneySimulator> {
  let faults: MobileMoneyFaults = { ...initial };
  const transactions = new Map<string, SimTransaction>();
  const byReference = new Map<string, SimTransaction>();
  const byServerId = new Map<string, SimTransaction>();
  const settlements = new Map<string, number>();
  const sim: MobileMoneySimulator = {
    url: "",
    transactions,
    settlements,
    requests: 0,
    duplicates: 0,
    bodies: [],
    callbacks: [],
    batches: new Map(),
    resendCallback: async (correlationId) => {
      const tx = transactions.get(correlationId);
      if (!tx?.callbackUrl || tx.transactionStatus === "pending") throw new Error(`no final transaction with a callback URL for ${correlationId}`);
      return deliver(tx);
    },
    setFaults: (f) => {
      faults = { ...f };
    },
    stop: async () => {},
  };

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "x-date": new Date().toUTCString(), "content-length": Buffer.byteLength(text) });
    res.end(text);
  };
  const error = (res: http.ServerResponse, status: number, errorCategory: string, errorCode: string, errorDescription: string) =>
    send(res, status, { errorCategory, errorCode, errorDescription, errorDateTime: new Date().toISOString() });

  /** One PUT of the transaction's final state to its X-Callback-URL; the client's status (0 = unreachable). */
  const deliver = async (tx: SimTransaction): Promise<number> => {
    const body = tx.transactionStatus === "failed" ? { ...tx.failure!, errorDateTime: new Date().toISOString() } : transactionBody(tx);
    const text = JSON.stringify(body);
    let status: number;
    try {
      const res = await fetch(tx.callbackUrl!, {
        method: "PUT",
        headers: {
          "content-type": "application/json",
          "x-date": new Date().toUTCString(),
          "x-correlationid": tx.correlationId,
          "x-content-hash": createHash("sha256").update(text, "utf8").digest("hex"),
        },
        body: text,
        signal: AbortSignal.timeout(5000),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = 0;
    }
    sim.callbacks.push({ url: tx.callbackUrl!, correlationId: tx.correlationId, body, status, at: new Date() });
    return status;
  };
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  /** Makes a pending transaction final after the delay, then calls back (with retries) unless callbacks are dropped. */
  const settleLater = (tx: SimTransaction, fail: boolean) => {
    later(faults.callbackDelayMs ?? 20, () => {
      tx.transactionStatus = fail ? "failed" : "completed";
      if (fail) tx.failure = { errorCategory: "businessRule", errorCode: "genericError", errorDescription: `wallet ${tx.msisdn} could not be credited` };
      if (faults.dropCallbacks) return;
      const attempt = (n: number) => {
        void deliver(tx).then((status) => {
          if ((status === 0 || status >= 500) && n < (faults.callbackRetries ?? 3)) later(50 * 2 ** n, () => attempt(n + 1));
        });
      };
      attempt(0);
    });
  };

  const batchByCorrelation = new Map<string, SimBatch>();
  const batchByServerId = new Map<string, SimBatch>();
  let references = 0;
  /** Short unique transaction references (cheaper than a UUID each at 1,000,000 items). */
  const nextReference = () => `TX${(++references).toString(16).toUpperCase().padStart(16, "0")}`;

  /** One item of a batch: settled once per reference, or rejected (not paid). */
  const processItem = (batch: SimBatch, item: Record<string, any>, debitParty: { key: string; value: string }[], now: string): void => {
    const reference = typeof item.requestingOrganisationTransactionReference === "string" ? item.requestingOrganisationTransactionReference : "";
    const creditParty = Array.isArray(item.creditParty) ? item.creditParty : [];
    const reject = (reason: string): void => void batch.rejections.push({ ...(reference ? { reference } : {}), creditParty, debitParty, rejectionReason: reason, rejectionDate: now });
    if (!reference) return reject("requestingOrganisationTransactionReference is required in bulk");
    const known = transactions.get(reference);
    if (known) {
      sim.duplicates++;
      if (known.amount !== item.amount || known.currency !== item.currency) return reject("reference reused with another payload");
      batch.completions.push(reference);
      return;
    }
    const credit = creditParty.find((p: any) => p.key === "msisdn");
    if (!credit || !/^\+?\d{6,15}$/.test(String(credit.value)) || typeof item.amount !== "string" || !/^[A-Z]{3}$/.test(String(item.currency))) {
      return reject("creditParty msisdn, amount and currency are required");
    }
    if (faults.rejectMsisdns?.includes(String(credit.value))) return reject(`wallet ${credit.value} cannot receive funds`);
    if (faults.itemErrorRate && Math.random() < faults.itemErrorRate) return reject("provider could not process this item (simulated); it was not paid");
    const tx: SimTransaction = {
      transactionReference: nextReference(),
      correlationId: reference,
      serverCorrelationId: batch.serverCorrelationId,
      amount: item.amount,
      currency: item.currency,
      msisdn: String(credit.value),
      debitParty,
      transactionStatus: "completed",
      requestingOrganisationTransactionReference: reference,
      creationDate: now,
    };
    transactions.set(reference, tx);
    byReference.set(tx.transactionReference, tx);
    settlements.set(reference, (settlements.get(reference) ?? 0) + 1);
    batch.completions.push(reference);
  };

  const processBatch = async (batch: SimBatch, items: Record<string, any>[]) => {
    if (faults.itemLatencyMs) await sleep(faults.itemLatencyMs * items.length);
    const now = new Date().toISOString();
    for (const item of items) {
      const debitParty = Array.isArray(item.debitParty) ? item.debitParty.map((p: any) => ({ key: String(p.key), value: String(p.value) })) : [];
      processItem(batch, item, debitParty, now);
    }
    batch.batchStatus = "completed";
    batch.completionDate = new Date().toISOString();
  };

  /**
   * What every POST starts with: the correlation id, the JSON body (kept when asked) and the simulated
   * busy fault. Null when it has already answered with an error.
   */
  const acceptPost = (req: http.IncomingMessage, res: http.ServerResponse, chunks: Buffer[]): { correlationId: string; body: Record<string, any> } | null => {
    const correlationId = String(req.headers["x-correlationid"] ?? "");
    if (!correlationId) {
      error(res, 400, "validation", "genericError", "X-CorrelationID is required");
      return null;
    }
    let body: Record<string, any>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      error(res, 400, "validation", "formatError", "body is not JSON");
      return null;
    }
    if (opts.keepBodies) sim.bodies.push(body);
    if (faults.errorRate && Math.random() < faults.errorRate) {
      error(res, 503, "serviceUnavailable", "genericError", "provider busy (simulated)");
      return null;
    }
    return { correlationId, body };
  };

  const receiveBatch = async (req: http.IncomingMessage, res: http.ServerResponse, chunks: Buffer[]) => {
    const accepted = acceptPost(req, res, chunks);
    if (!accepted) return;
    const { correlationId, body } = accepted;
    const items = Array.isArray(body.transactions) ? (body.transactions as Record<string, any>[]) : [];
    const known = batchByCorrelation.get(correlationId);
    if (known) {
      sim.duplicates++;
      if (known.itemCount !== items.length) return error(res, 400, "validation", "duplicateRequest", "correlation id reused with another batch");
      return send(res, 202, batchState(known));
    }
    if (items.length === 0) return error(res, 400, "validation", "formatError", "transactions must hold at least one item");
    const batch: SimBatch = {
      batchId: `B${randomUUID().replace(/-/g, "").slice(0, 20).toUpperCase()}`,
      correlationId,
      serverCorrelationId: randomUUID(),
      batchStatus: "created",
      ...(typeof body.batchTitle === "string" ? { title: body.batchTitle } : {}),
      ...(typeof body.batchdescription === "string" ? { description: body.batchdescription } : {}),
      itemCount: items.length,
      completions: [],
      rejections: [],
      creationDate: new Date().toISOString(),
    };
    sim.batches.set(batch.batchId, batch);
    batchByCorrelation.set(correlationId, batch);
    batchByServerId.set(batch.serverCorrelationId, batch);
    if (faults.batchDelayMs) later(faults.batchDelayMs, () => void processBatch(batch, items));
    else await processBatch(batch, items);
    if (faults.timeoutRate && Math.random() < faults.timeoutRate) await sleep(faults.timeoutDelayMs ?? 2000);
    return send(res, 202, batchState(batch));
  };

  /** A page of a batch list: `limit` (default 50) from `offset`, the total in X-Records-Available-Count. */
  const sendPage = (res: http.ServerResponse, url: URL, all: unknown[]) => {
    const offset = Math.max(0, Number(url.searchParams.get("offset") ?? 0) || 0);
    const limit = Math.max(1, Number(url.searchParams.get("limit") ?? 50) || 50);
    const page = all.slice(offset, offset + limit);
    const text = JSON.stringify(page);
    res.writeHead(200, {
      "content-type": "application/json",
      "x-date": new Date().toUTCString(),
      "x-records-available-count": String(all.length),
      "x-records-returned-count": String(page.length),
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
  };

  const server = http.createServer(async (req, res) => {
    sim.requests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (faults.latencyMs) await sleep(faults.latencyMs);
    const url = new URL(req.url ?? "/", "http://sim");
    const path = url.pathname.replace(/\/+$/, "");
    try {
      if (req.method === "GET") {
        if (faults.statusErrorRate && Math.random() < faults.statusErrorRate) return error(res, 503, "serviceUnavailable", "genericError", "try later");
        if (path === "/heartbeat") return send(res, 200, { serviceStatus: "available" });
        let m = /^\/responses\/([^/]+)$/.exec(path);
        if (m && batchByCorrelation.has(decodeURIComponent(m[1]!))) {
          return send(res, 200, { link: `/batchtransactions/${batchByCorrelation.get(decodeURIComponent(m[1]!))!.batchId}` });
        }
        if (m) {
          const tx = transactions.get(decodeURIComponent(m[1]!));
          if (!tx) return error(res, 404, "identification", "genericError", "no request with this clientCorrelationId");
          return send(res, 200, { link: `/transactions/${tx.transactionReference}` });
        }
        m = /^\/transactions\/([^/]+)$/.exec(path);
        if (m) {
          const tx = byReference.get(decodeURIComponent(m[1]!));
          if (!tx) return error(res, 404, "identification", "genericError", "transaction not found");
          return send(res, 200, transactionBody(tx));
        }
        m = /^\/batchtransactions\/([^/]+)(\/completions|\/rejections)?$/.exec(path);
        if (m) {
          const batch = sim.batches.get(decodeURIComponent(m[1]!));
          if (!batch) return error(res, 404, "identification", "genericError", "batch not found");
          if (!m[2]) return send(res, 200, batchBody(batch));
          return sendPage(res, url, m[2] === "/completions" ? batch.completions.map((ref) => completionBody(transactions.get(ref)!)) : batch.rejections.map(rejectionBody));
        }
        m = /^\/requeststates\/([^/]+)$/.exec(path);
        if (m && batchByServerId.has(decodeURIComponent(m[1]!))) return send(res, 200, batchState(batchByServerId.get(decodeURIComponent(m[1]!))!));
        if (m) {
          const tx = byServerId.get(decodeURIComponent(m[1]!));
          if (!tx) return error(res, 404, "identification", "genericError", "request state not found");
          return send(res, 200, requestState(tx));
        }
        return error(res, 404, "identification", "genericError", "no such resource");
      }
      if (req.method === "POST" && path === "/batchtransactions") return await receiveBatch(req, res, chunks);
      if (req.method !== "POST" || path !== "/transactions/type/disbursement") return error(res, 404, "identification", "genericError", "no such resource");
      const accepted = acceptPost(req, res, chunks);
      if (!accepted) return;
      const { correlationId, body } = accepted;
      const known = transactions.get(correlationId);
      if (known) {
        sim.duplicates++;
        if (known.amount !== body.amount || known.currency !== body.currency) return error(res, 400, "validation", "duplicateRequest", "correlation id reused with another payload");
        return faults.async || known.callbackUrl ? send(res, 202, requestState(known)) : send(res, 201, transactionBody(known));
      }
      const callbackUrl = typeof req.headers["x-callback-url"] === "string" ? req.headers["x-callback-url"] : undefined;
      if (callbackUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(callbackUrl)) return error(res, 400, "validation", "formatError", "X-Callback-URL is not a URL");
      const credit = Array.isArray(body.creditParty) ? body.creditParty.find((p: any) => p.key === "msisdn") : null;
      if (!credit || !/^\+?\d{6,15}$/.test(String(credit.value)) || typeof body.amount !== "string" || !/^[A-Z]{3}$/.test(String(body.currency))) {
        return error(res, 400, "validation", "formatError", "creditParty msisdn, amount and currency are required");
      }
      if (faults.rejectMsisdns?.includes(String(credit.value))) {
        return error(res, 400, "businessRule", "genericError", `wallet ${credit.value} cannot receive funds`);
      }
      const tx: SimTransaction = {
        transactionReference: `TX${randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase()}`,
        correlationId,
        serverCorrelationId: randomUUID(),
        amount: body.amount,
        currency: body.currency,
        msisdn: String(credit.value),
        debitParty: Array.isArray(body.debitParty) ? body.debitParty.map((p: any) => ({ key: String(p.key), value: String(p.value) })) : [],
        transactionStatus: callbackUrl ? "pending" : "completed",
        ...(callbackUrl ? { callbackUrl } : {}),
        requestingOrganisationTransactionReference: body.requestingOrganisationTransactionReference,
        creationDate: new Date().toISOString(),
      };
      transactions.set(correlationId, tx);
      byReference.set(tx.transactionReference, tx);
      byServerId.set(tx.serverCorrelationId, tx);
      settlements.set(correlationId, (settlements.get(correlationId) ?? 0) + 1);
      if (callbackUrl) settleLater(tx, !!faults.failMsisdns?.includes(tx.msisdn));
      if (faults.timeoutRate && Math.random() < faults.timeoutRate) await sleep(faults.timeoutDelayMs ?? 2000);
      if (callbackUrl) return send(res, 202, requestState(tx));
      return faults.async ? send(res, 202, requestState(tx)) : send(res, 201, transactionBody(tx));
    } catch (err) {
      return error(res, 500, "internal", "genericError", String(err));
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  sim.url = `http://127.0.0.1:${port}/`;
  sim.stop = () =>
    new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return sim;
}

function batchState(batch: SimBatch) {
  return { serverCorrelationId: batch.serverCorrelationId, objectReference: batch.batchId, status: batch.batchStatus === "completed" ? "completed" : "pending", notificationMethod: "polling" };
}

function batchBody(batch: SimBatch) {
  return {
    batchId: batch.batchId,
    batchStatus: batch.batchStatus,
    ...(batch.title !== undefined ? { batchTitle: batch.title } : {}),
    ...(batch.description !== undefined ? { batchdescription: batch.description } : {}),
    // responseBatchTransaction requires both dates; until the batch is processed they are its creation date.
    approvalDate: batch.creationDate,
    completionDate: batch.completionDate ?? batch.creationDate,
    processingFlag: batch.batchStatus === "completed",
    completedCount: batch.completions.length,
    rejectionCount: batch.rejections.length,
    parsingSuccessCount: batch.itemCount,
    creationDate: batch.creationDate,
  };
}

function completionBody(tx: SimTransaction) {
  return {
    transactionReference: tx.transactionReference,
    requestingOrganisationTransactionReference: tx.requestingOrganisationTransactionReference ?? tx.correlationId,
    creditParty: [{ key: "msisdn", value: tx.msisdn }],
    debitParty: tx.debitParty,
    completionDate: tx.creationDate,
    link: `/transactions/${tx.transactionReference}`,
  };
}

function rejectionBody(r: SimBatch["rejections"][number]) {
  return {
    ...(r.reference ? { requestingOrganisationTransactionReference: r.reference } : {}),
    creditParty: r.creditParty,
    debitParty: r.debitParty,
    rejectionReason: r.rejectionReason,
    rejectionDate: r.rejectionDate,
  };
}

function transactionBody(tx: SimTransaction) {
  return {
    transactionReference: tx.transactionReference,
    requestingOrganisationTransactionReference: tx.requestingOrganisationTransactionReference,
    type: "disbursement",
    transactionStatus: tx.transactionStatus,
    amount: tx.amount,
    currency: tx.currency,
    creditParty: [{ key: "msisdn", value: tx.msisdn }],
    debitParty: tx.debitParty,
    creationDate: tx.creationDate,
  };
}

function requestState(tx: SimTransaction) {
  return {
    serverCorrelationId: tx.serverCorrelationId,
    objectReference: tx.transactionReference,
    status: tx.transactionStatus,
    notificationMethod: tx.callbackUrl ? "callback" : "polling",
    ...(tx.transactionStatus === "failed" && tx.failure ? { error: { ...tx.failure } } : {}),
  };
}
