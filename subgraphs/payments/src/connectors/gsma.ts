/**
 * GSMA Mobile Money API v1.2 disbursement connector (`POST /transactions/type/disbursement`,
 * `GET /responses/{clientCorrelationId}`, `GET /requeststates/{id}`, `GET /transactions/{ref}`).
 * X-CorrelationID = our payment id on every attempt: the provider de-duplicates on it.
 *
 * Callbacks: with `callback` set (PAYMENTS_GSMA_CALLBACK_URL + PAYMENTS_CALLBACK_SECRET) every POST
 * carries `X-Callback-URL: <base>/<paymentId>/<token>`, token = HMAC-SHA256(secret, payment id): an
 * unguessable capability that any payments process holding the secret can check without shared state
 * (gsma-callbacks.ts). A 202 "pending" answer is then recorded UNKNOWN ("awaiting callback") at once,
 * instead of polling; the callback, or the status-query fallback, settles it.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { sendGsmaBatch, type BulkTransport } from "./gsma-bulk";
import { mapLimit, type Connector, type ConnectorOptions, type Instruction, type Outcome, type StatusAnswer } from "./types";

type Json = Record<string, any>;

interface HttpAnswer {
  status: number;
  body: Json | null;
}

/** Our FA types → GSMA party keys. */
const PARTY_KEY: Record<string, string> = { mobile: "msisdn", msisdn: "msisdn", wallet: "walletid", account: "accountid", token: "accountid" };

/** GSMA amounts carry no trailing zeros ("10.50" → "10.5", "10.00" → "10"). */
export function gsmaAmount(amount: string): string {
  return amount.includes(".") ? amount.replace(/0+$/, "").replace(/\.$/, "") : amount;
}

export function gsmaDisbursementBody(i: Instruction, payerKey = "businessid", payerId = "g2p-program"): Json {
  return {
    amount: gsmaAmount(i.amount),
    currency: i.currency,
    creditParty: [{ key: PARTY_KEY[i.payee.type] ?? "accountid", value: i.payee.id }],
    debitParty: [{ key: payerKey, value: payerId }],
    requestingOrganisationTransactionReference: i.id,
    ...(i.note ? { descriptionText: i.note.slice(0, 160) } : {}),
  };
}

/** The capability token of a payment's callback URL: base64url(HMAC-SHA256(secret, "gsma-callback:v1:" + id)), 43 characters. */
export function gsmaCallbackToken(secret: string, paymentId: string): string {
  return createHmac("sha256", secret).update(`gsma-callback:v1:${paymentId}`, "utf8").digest("base64url");
}

/** Constant-time check of a callback token. */
export function verifyGsmaCallbackToken(secret: string, paymentId: string, token: string): boolean {
  const expected = Buffer.from(gsmaCallbackToken(secret, paymentId), "utf8");
  const given = Buffer.from(token, "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The X-Callback-URL sent for a payment. */
export function gsmaCallbackUrl(callback: { baseUrl: string; secret: string }, paymentId: string): string {
  return `${callback.baseUrl.replace(/\/+$/, "")}/${encodeURIComponent(paymentId)}/${gsmaCallbackToken(callback.secret, paymentId)}`;
}

export function transactionOutcome(id: string, tx: Json): Outcome | null {
  const s = String(tx.transactionStatus ?? "").toLowerCase();
  if (s === "completed") return { id, status: "COMPLETED", reference: tx.transactionReference ?? null };
  if (s === "failed" || s === "rejected" || s === "declined") return { id, status: "FAILED", reason: `provider: transaction ${s}`, reference: tx.transactionReference ?? null };
  return null; // pending
}

function parseJson(text: string): Json | null {
  try {
    return text ? (JSON.parse(text) as Json) : null;
  } catch {
    return null;
  }
}

/** "category.code: description" of a GSMA errorObject. */
export function errorReasonOf(body: Json): string {
  return `${body.errorCategory}.${body.errorCode}${body.errorDescription ? `: ${body.errorDescription}` : ""}`;
}

function errorReason(body: Json | null, status: number): string {
  if (body?.errorCategory) return `${body.errorCategory}.${body.errorCode}${body.errorDescription ? `: ${body.errorDescription}` : ""}`;
  return `HTTP ${status}`;
}

export class GsmaConnector implements Connector {
  readonly kind = "GSMA";
  private readonly timeoutMs: number;
  private readonly maxSendAttempts: number;
  private readonly concurrency: number;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly callback: { baseUrl: string; secret: string } | null;
  private readonly bulkMinItems: number;
  private readonly bulk: BulkTransport;

  constructor(
    private readonly baseUrl: string,
    opts: ConnectorOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.maxSendAttempts = opts.maxSendAttempts ?? 3;
    this.concurrency = opts.concurrency ?? 16;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: this.concurrency });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: this.concurrency });
    this.callback = opts.gsmaCallback ?? null;
    this.bulkMinItems = opts.gsmaBulkMinItems ?? 50;
    this.bulk = {
      call: (method, path, correlationId, body) => this.call(method, path, correlationId, body),
      statusOne: (id) => this.statusOne(id),
      itemBody: (i) => gsmaDisbursementBody(i),
      maxSendAttempts: this.maxSendAttempts,
      waitMs: opts.gsmaBulkWaitMs ?? 30_000,
    };
  }

  /**
   * A sub-batch of `gsmaBulkMinItems` or more goes as one GSMA batch (`POST /batchtransactions`), smaller
   * ones payment by payment. Callbacks are per payment only: with callbacks on, always one by one.
   */
  send(instructions: Instruction[]): Promise<Outcome[]> {
    if (this.bulkMinItems > 0 && !this.callback && instructions.length >= this.bulkMinItems) return sendGsmaBatch(this.bulk, instructions);
    return mapLimit(instructions, this.concurrency, (i) => this.sendOne(i));
  }

  status(ids: string[]): Promise<StatusAnswer[]> {
    return mapLimit(ids, this.concurrency, (id) => this.statusOne(id));
  }

  /** One HTTP exchange over a keep-alive agent (node:http: far cheaper per call than fetch at volume). */
  private call(method: "GET" | "POST", path: string, correlationId: string, body?: Json, extraHeaders: Record<string, string> = {}): Promise<HttpAnswer> {
    const url = new URL(path, this.baseUrl);
    const payload = body ? JSON.stringify(body) : undefined;
    const lib = url.protocol === "https:" ? https : http;
    return new Promise<HttpAnswer>((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method,
          agent: url.protocol === "https:" ? this.httpsAgent : this.httpAgent,
          headers: {
            "content-type": "application/json",
            accept: "application/json",
            "x-correlationid": correlationId,
            "x-date": new Date().toUTCString(),
            ...extraHeaders,
            ...(payload ? { "content-length": Buffer.byteLength(payload) } : {}),
          },
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, body: parseJson(Buffer.concat(chunks).toString("utf8")) });
          });
          res.on("error", (err) => {
            clearTimeout(timer);
            reject(err);
          });
        },
      );
      // Whole-exchange deadline (the socket timeout alone only covers idle time).
      const timer = setTimeout(() => req.destroy(new Error(`TimeoutError: no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      req.on("timeout", () => req.destroy(new Error(`TimeoutError: no answer within ${this.timeoutMs} ms`)));
      req.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(payload);
    });
  }

  private async sendOne(i: Instruction): Promise<Outcome> {
    let lastProblem = "";
    for (let attempt = 1; attempt <= this.maxSendAttempts; attempt++) {
      let answer: HttpAnswer | null = null;
      try {
        const headers: Record<string, string> = this.callback ? { "x-callback-url": gsmaCallbackUrl(this.callback, i.id) } : {};
        answer = await this.call("POST", "transactions/type/disbursement", i.id, gsmaDisbursementBody(i), headers);
      } catch (err) {
        lastProblem = `no answer: ${err instanceof Error ? err.message : String(err)}`;
      }
      if (answer) {
        if (answer.status === 201 || answer.status === 200) {
          const out = transactionOutcome(i.id, answer.body ?? {});
          if (out) return out;
        } else if (answer.status === 202 && this.callback && String(answer.body?.status ?? "pending") === "pending") {
          // Accepted, result to come by callback: parked UNKNOWN now; the callback (or a later status query) settles it.
          return { id: i.id, status: "UNKNOWN", reason: "accepted by the provider; awaiting its callback" };
        } else if (answer.status === 202) {
          const polled = await this.pollRequestState(i.id, String(answer.body?.serverCorrelationId ?? ""));
          if (polled) return polled;
        } else if (answer.status >= 400 && answer.status < 500) {
          return { id: i.id, status: "FAILED", reason: errorReason(answer.body, answer.status) };
        } else {
          lastProblem = errorReason(answer.body, answer.status);
        }
      }
      // Unreachable, 5xx, timeout or still pending: ask whether the provider has it before sending again.
      const known = await this.statusOne(i.id);
      if (known.status === "COMPLETED") return { id: i.id, status: "COMPLETED", reference: known.reference ?? null };
      if (known.status === "FAILED") return { id: i.id, status: "FAILED", reason: known.reason ?? "provider: failed", reference: known.reference ?? null };
      if (known.status !== "NOT_FOUND") return { id: i.id, status: "UNKNOWN", reason: `${lastProblem || "pending"}; status: ${known.reason ?? known.status}` };
    }
    return { id: i.id, status: "FAILED", reason: `provider did not accept it after ${this.maxSendAttempts} attempts (${lastProblem})` };
  }

  private async pollRequestState(id: string, serverCorrelationId: string): Promise<Outcome | null> {
    if (!serverCorrelationId) return null;
    for (let n = 0; n < 5; n++) {
      try {
        const rs = await this.call("GET", `requeststates/${encodeURIComponent(serverCorrelationId)}`, id);
        const s = rs.body?.status;
        if (rs.status === 200 && s === "completed") return { id, status: "COMPLETED", reference: rs.body?.objectReference ?? null };
        if (rs.status === 200 && s === "failed") return { id, status: "FAILED", reason: errorReason(rs.body?.error ?? null, 200) };
      } catch {
        return null;
      }
      await new Promise((r) => setTimeout(r, 20 * 2 ** n));
    }
    return null;
  }

  private async statusOne(id: string): Promise<StatusAnswer> {
    try {
      const r = await this.call("GET", `responses/${encodeURIComponent(id)}`, id);
      if (r.status === 404) return { id, status: "NOT_FOUND" };
      if (r.status !== 200 || typeof r.body?.link !== "string") return { id, status: "UNKNOWN", reason: errorReason(r.body, r.status) };
      const tx = await this.call("GET", String(r.body.link).replace(/^\//, ""), id);
      if (tx.status !== 200 || !tx.body) return { id, status: "UNKNOWN", reason: errorReason(tx.body, tx.status) };
      const out = transactionOutcome(id, tx.body);
      if (!out) return { id, status: "PENDING", reference: tx.body.transactionReference ?? null };
      return out.status === "COMPLETED"
        ? { id, status: "COMPLETED", reference: out.reference }
        : { id, status: "FAILED", reason: out.status === "FAILED" ? out.reason : "failed", reference: tx.body.transactionReference ?? null };
    } catch (err) {
      return { id, status: "UNKNOWN", reason: `status query: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
}
