/**
 * Mojaloop FSPIOP v1.1 connector: we are the payer FSP (PAYMENTS_FSPIOP_FSP_ID) and pay each
 * instruction through a Mojaloop switch (the provider's endpointUrl):
 *
 *   GET  /parties/{Type}/{ID}   → PUT /parties/{Type}/{ID}    (payee FSP from party.partyIdInfo.fspId)
 *   POST /quotes                → PUT /quotes/{ID}            (ilpPacket, condition, expiration)
 *   POST /transfers             → PUT /transfers/{ID}         (fulfilment; SHA-256(fulfilment) must be the condition)
 *   GET  /transfers/{ID}        → PUT /transfers/{ID}         (status of an UNKNOWN payment)
 *
 * Every request is answered 202 and its result arrives on our callback endpoint (see mojaloop-callbacks.ts),
 * or as PUT …/error with an FSPIOP error code. The ids are derived from our payment id (transferId = the
 * payment id when it is a UUID), and the transfer body is the same on every resend (its expiration is the
 * quote's), so a resend is a duplicate for the switch and never pays twice.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { SubgraphServices } from "@g2p/kit";
import type { RouteHandler } from "@g2p/kit/http";
import { fspiopCallbackRoute, fspiopCallbacks, fspiopContentType, type CallbackMessage, type FspiopCallbackHub, type FspiopResource } from "./mojaloop-callbacks";
import { mapLimit, type Connector, type ConnectorOptions, type Instruction, type Outcome, type StatusAnswer } from "./types";

type Json = Record<string, any>;

export interface MojaloopSettings {
  /** Our FSP id at the switch (FSPIOP-Source; payerFsp). */
  fspId: string;
  /** The base URL the switch calls back (registered at the hub as our FSPIOP callback endpoints); informative here. */
  callbackUrl?: string;
}

/** PAYMENTS_FSPIOP_FSP_ID (default "g2p-payer"), PAYMENTS_FSPIOP_CALLBACK_URL (http/https). Throws on a bad value. */
export function mojaloopSettingsFromEnv(env: Record<string, string | undefined> = process.env): MojaloopSettings {
  const fspId = env.PAYMENTS_FSPIOP_FSP_ID?.trim() || "g2p-payer";
  if (fspId.length > 32) throw new Error("PAYMENTS_FSPIOP_FSP_ID must be 1 to 32 characters (FSPIOP FspId)");
  const callbackUrl = env.PAYMENTS_FSPIOP_CALLBACK_URL?.trim() || undefined;
  if (callbackUrl) {
    let u: URL | null;
    try {
      u = new URL(callbackUrl);
    } catch {
      u = null;
    }
    if (!u || (u.protocol !== "http:" && u.protocol !== "https:")) throw new Error("PAYMENTS_FSPIOP_CALLBACK_URL must be an http(s) URL");
  }
  return { fspId, callbackUrl };
}

/**
 * The payments subgraph's FSPIOP callback route (`PUT /fspiop/*`). Reads and checks the settings at start,
 * so a bad PAYMENTS_FSPIOP_* value stops the process instead of failing payments later.
 */
export function mojaloopRoutes(services: Pick<SubgraphServices, "log">): Record<string, RouteHandler> {
  const settings = mojaloopSettingsFromEnv();
  if (settings.callbackUrl) services.log.info({ fspId: settings.fspId, callbackUrl: settings.callbackUrl }, "FSPIOP callbacks expected on PUT /fspiop/*");
  return { "PUT /fspiop/*": fspiopCallbackRoute({ fspId: settings.fspId, log: services.log }) };
}

// ---------------------------------------------------------------------------------------------
// Identifiers and amounts

/** FSPIOP CorrelationId: a UUID of version 1-5 and RFC 4122 variant, lower case. */
const CORRELATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Our name-based UUID namespace (RFC 4122 §4.3, version 5). */
const NAMESPACE = Buffer.from("3f1c2a8e5b7d4e0fa6c9d2b4e8f01a37", "hex");

export function uuidV5(name: string, namespace = NAMESPACE): string {
  const h = createHash("sha1").update(namespace).update(name, "utf8").digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** transferId (the payment id itself when it is a valid FSPIOP UUID), quoteId and transactionId, all stable per payment. */
export function fspiopIds(paymentId: string): { transferId: string; quoteId: string; transactionId: string } {
  const lower = paymentId.toLowerCase();
  return {
    transferId: CORRELATION_ID.test(lower) ? lower : uuidV5(`transfer:${paymentId}`),
    quoteId: uuidV5(`quote:${paymentId}`),
    transactionId: uuidV5(`transaction:${paymentId}`),
  };
}

/** FSPIOP Amount: canonical decimal, no trailing zeros, at most 4 decimals ("10.50" → "10.5", "10.00" → "10"); null if not representable. */
export function fspiopAmount(amount: string): string | null {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!m) return null;
  const int = m[1]!.replace(/^0+(?=\d)/, "");
  const frac = (m[2] ?? "").replace(/0+$/, "");
  if (frac.length > 4 || int.length > 18) return null;
  return frac ? `${int}.${frac}` : int;
}

/** Our financial-address types → FSPIOP PartyIdType. */
const PARTY_TYPE: Record<string, string> = {
  mobile: "MSISDN",
  msisdn: "MSISDN",
  email: "EMAIL",
  account: "ACCOUNT_ID",
  wallet: "ACCOUNT_ID",
  iban: "IBAN",
  alias: "ALIAS",
  personal_id: "PERSONAL_ID",
  nid: "PERSONAL_ID",
  business: "BUSINESS",
  device: "DEVICE",
};

/** base64url(SHA-256(base64url-decoded fulfilment)) === condition (both 32 bytes). */
export function fulfilmentMatches(fulfilment: unknown, condition: string): boolean {
  if (typeof fulfilment !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(fulfilment)) return false;
  const preimage = Buffer.from(fulfilment, "base64url");
  if (preimage.length !== 32) return false;
  return createHash("sha256").update(preimage).digest("base64url") === condition;
}

/** Names of the FSPIOP error codes (API Definition v1.1, §7.6), for reasons people can read. */
const ERROR_NAMES: Record<string, string> = {
  "1000": "Communication error",
  "1001": "Destination communication error",
  "2000": "Generic server error",
  "2001": "Internal server error",
  "2002": "Not implemented",
  "2003": "Service currently unavailable",
  "2004": "Server timed out",
  "2005": "Server busy",
  "3000": "Generic client error",
  "3001": "Unacceptable version requested",
  "3002": "Unknown URI",
  "3100": "Generic validation error",
  "3101": "Malformed syntax",
  "3102": "Missing mandatory element",
  "3103": "Too many elements",
  "3104": "Too large payload",
  "3105": "Invalid signature",
  "3106": "Modified request",
  "3200": "Generic ID not found",
  "3201": "Destination FSP Error",
  "3202": "Payer FSP ID not found",
  "3203": "Payee FSP ID not found",
  "3204": "Party not found",
  "3205": "Quote ID not found",
  "3208": "Transfer ID not found",
  "3300": "Generic expired error",
  "3302": "Quote expired",
  "3303": "Transfer expired",
  "4000": "Generic payer error",
  "4001": "Payer FSP insufficient liquidity",
  "4100": "Generic payer rejection",
  "4200": "Payer limit error",
  "4300": "Payer permission error",
  "4400": "Generic payer blocked error",
  "5000": "Generic payee error",
  "5001": "Payee FSP insufficient liquidity",
  "5100": "Generic payee rejection",
  "5101": "Payee rejected quote",
  "5102": "Payee FSP unsupported transaction type",
  "5103": "Payee FSP rejected quote",
  "5104": "Payee rejected transaction",
  "5105": "Payee FSP rejected transaction",
  "5106": "Payee unsupported currency",
  "5200": "Payee limit error",
  "5300": "Payee permission error",
  "5400": "Generic payee blocked error",
};

export function fspiopErrorReason(step: string, code: string, description?: string): string {
  const name = ERROR_NAMES[code] ?? "error";
  return `${step}: FSPIOP ${code} ${name}${description && description !== name ? ` (${description})` : ""}`;
}

/**
 * May the transfer have happened despite this error callback? Communication and server errors (1xxx, 2xxx)
 * and "modified request" (3106: the switch already has a transfer with this id) say nothing about it.
 */
function errorLeavesTransferOpen(code: string): boolean {
  return code.startsWith("1") || code.startsWith("2") || code === "3106";
}

// ---------------------------------------------------------------------------------------------

interface HttpAnswer {
  status: number;
  body: Json | null;
}

type Exchange =
  | { kind: "callback"; message: CallbackMessage }
  | { kind: "timeout" }
  | { kind: "refused"; status: number; body: Json | null }
  | { kind: "unreachable"; problem: string };

type QuoteResult = { ok: true; ilpPacket: string; condition: string; expiration: string } | { ok: false; outcome: Outcome };

function parseJson(text: string): Json | null {
  try {
    return text ? (JSON.parse(text) as Json) : null;
  } catch {
    return null;
  }
}

function httpReason(step: string, a: { status: number; body: Json | null }): string {
  const info = a.body?.errorInformation;
  if (info?.errorCode) return fspiopErrorReason(step, String(info.errorCode), info.errorDescription);
  return `${step}: HTTP ${a.status}`;
}

export class MojaloopConnector implements Connector {
  readonly kind = "MOJALOOP";
  private readonly timeoutMs: number;
  private readonly maxSendAttempts: number;
  private readonly concurrency: number;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  /** What we learnt while sending (condition, payee FSP) by transferId, for status queries in this process. */
  private readonly sent = new Map<string, { condition: string; payeeFsp: string }>();

  constructor(
    private readonly switchUrl: string,
    private readonly settings: MojaloopSettings = mojaloopSettingsFromEnv(),
    opts: ConnectorOptions = {},
    private readonly hub: FspiopCallbackHub = fspiopCallbacks,
  ) {
    if (!this.switchUrl.endsWith("/")) this.switchUrl = `${this.switchUrl}/`;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.maxSendAttempts = opts.maxSendAttempts ?? 3;
    this.concurrency = opts.concurrency ?? 16;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: this.concurrency });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: this.concurrency });
  }

  send(instructions: Instruction[]): Promise<Outcome[]> {
    return mapLimit(instructions, this.concurrency, (i) =>
      this.sendOne(i).catch((err: unknown): Outcome => ({ id: i.id, status: "UNKNOWN", reason: `connector error: ${err instanceof Error ? err.message : String(err)}` })),
    );
  }

  status(ids: string[]): Promise<StatusAnswer[]> {
    return mapLimit(ids, this.concurrency, (id) => this.statusOne(id));
  }

  /** FSPIOP request headers (API Definition §3.2.1): versioned Accept/Content-Type, Date, FSPIOP-Source, FSPIOP-Destination when known. */
  headers(resource: FspiopResource, destination: string | null, payload?: string): Record<string, string | number> {
    return {
      accept: fspiopContentType(resource),
      "content-type": fspiopContentType(resource),
      date: new Date().toUTCString(),
      "fspiop-source": this.settings.fspId,
      ...(destination ? { "fspiop-destination": destination } : {}),
      ...(payload !== undefined ? { "content-length": Buffer.byteLength(payload) } : {}),
    };
  }

  private request(method: "GET" | "POST", path: string, resource: FspiopResource, destination: string | null, body?: Json): Promise<HttpAnswer> {
    const url = new URL(path, this.switchUrl);
    const payload = body ? JSON.stringify(body) : undefined;
    const secure = url.protocol === "https:";
    return new Promise<HttpAnswer>((resolve, reject) => {
      const fail = (err: Error) => {
        clearTimeout(deadline);
        reject(err);
      };
      const req = (secure ? https : http).request(
        url,
        { method, agent: secure ? this.httpsAgent : this.httpAgent, headers: this.headers(resource, destination, payload), timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", fail);
          res.on("end", () => {
            clearTimeout(deadline);
            resolve({ status: res.statusCode ?? 0, body: parseJson(Buffer.concat(chunks).toString("utf8")) });
          });
        },
      );
      const deadline = setTimeout(() => req.destroy(new Error(`no HTTP answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      req.on("timeout", () => req.destroy(new Error(`no HTTP answer within ${this.timeoutMs} ms`)));
      req.on("error", fail);
      req.end(payload);
    });
  }

  /** One asynchronous FSPIOP exchange: wait for the callback registered first, then send; 202 means "callback to come". */
  private async exchange(method: "GET" | "POST", path: string, resource: FspiopResource, key: string, destination: string | null, body?: Json): Promise<Exchange> {
    const wait = this.hub.wait(key, this.timeoutMs);
    let answer: HttpAnswer;
    try {
      answer = await this.request(method, path, resource, destination, body);
    } catch (err) {
      wait.cancel();
      return { kind: "unreachable", problem: err instanceof Error ? err.message : String(err) };
    }
    if (answer.status !== 202 && answer.status !== 200) {
      wait.cancel();
      return { kind: "refused", status: answer.status, body: answer.body };
    }
    const message = await wait.promise;
    return message ? { kind: "callback", message } : { kind: "timeout" };
  }

  /** Lookup and quote move no money: retried on timeouts, 5xx and unreachable switches, then FAILED. */
  private async retrying(step: string, run: () => Promise<Exchange>): Promise<Exchange | { kind: "gave-up"; reason: string }> {
    let last = "";
    for (let attempt = 1; attempt <= this.maxSendAttempts; attempt++) {
      const x = await run();
      if (x.kind === "callback") return x;
      if (x.kind === "refused" && x.status < 500) return x;
      last = x.kind === "timeout" ? `no callback within ${this.timeoutMs} ms` : x.kind === "refused" ? httpReason(step, x) : x.problem;
    }
    return { kind: "gave-up", reason: `${step}: no answer after ${this.maxSendAttempts} attempts (${last})` };
  }

  private async sendOne(i: Instruction): Promise<Outcome> {
    const ids = fspiopIds(i.id);
    const partyIdType = PARTY_TYPE[i.payee.type];
    if (!partyIdType) return { id: i.id, status: "FAILED", reason: `payee type "${i.payee.type}" has no FSPIOP party id type` };
    const amount = fspiopAmount(i.amount);
    if (!amount || amount === "0") return { id: i.id, status: "FAILED", reason: `amount ${i.amount} cannot be sent over FSPIOP (positive, at most 4 decimals)` };

    // 1. Who holds the payee's account? (No FSPIOP-Destination: the switch's account lookup service routes it.)
    const partyPath = `parties/${encodeURIComponent(partyIdType)}/${encodeURIComponent(i.payee.id)}`;
    const lookup = await this.retrying("party lookup", () => this.exchange("GET", partyPath, "parties", `parties/${partyIdType}/${i.payee.id}`, null));
    const failed = (reason: string): Outcome => ({ id: i.id, status: "FAILED", reason });
    if (lookup.kind === "gave-up") return failed(lookup.reason);
    if (lookup.kind === "refused") return failed(httpReason("party lookup", lookup));
    if (lookup.kind !== "callback") return failed("party lookup: no answer");
    if (lookup.message.kind === "error") return failed(fspiopErrorReason("party lookup", lookup.message.errorCode, lookup.message.errorDescription));
    const payeeFsp = lookup.message.body.party?.partyIdInfo?.fspId;
    if (typeof payeeFsp !== "string" || !payeeFsp) return failed("party lookup: the answer names no payee FSP (party.partyIdInfo.fspId)");

    // 2. Quote: the payee receives the full amount (amountType RECEIVE); a quote that charges us more is refused.
    const payee = { partyIdInfo: { partyIdType, partyIdentifier: i.payee.id, fspId: payeeFsp } };
    const quoteBody: Json = {
      quoteId: ids.quoteId,
      transactionId: ids.transactionId,
      payee,
      payer: { partyIdInfo: { partyIdType: "BUSINESS", partyIdentifier: this.settings.fspId, fspId: this.settings.fspId } },
      amountType: "RECEIVE",
      amount: { currency: i.currency, amount },
      transactionType: { scenario: "TRANSFER", initiator: "PAYER", initiatorType: "BUSINESS" },
      ...(i.note ? { note: i.note.slice(0, 128) } : {}),
    };
    let quote = await this.quote(i, quoteBody, payeeFsp, amount);
    if (!quote.ok) return quote.outcome;
    if (Date.parse(quote.expiration) <= Date.now() + 1000) {
      // The quote answered for this payment's fixed quoteId has expired (a resend long after the first try).
      // If the switch never got the transfer, a fresh quote is safe; otherwise its state is the answer.
      const known = await this.statusOne(i.id);
      if (known.status !== "NOT_FOUND") return this.fromStatus(i.id, known, "quote expired");
      quote = await this.quote(i, { ...quoteBody, quoteId: uuidV5(`quote:${i.id}:${Date.now()}`) }, payeeFsp, amount);
      if (!quote.ok) return quote.outcome;
    }
    this.sent.set(ids.transferId, { condition: quote.condition, payeeFsp });
    if (this.sent.size > 100_000) this.sent.delete(this.sent.keys().next().value!);

    // 3. Transfer with the quote's ILP packet and condition; the same body on every resend.
    const transferBody: Json = {
      transferId: ids.transferId,
      payeeFsp,
      payerFsp: this.settings.fspId,
      amount: { currency: i.currency, amount },
      ilpPacket: quote.ilpPacket,
      condition: quote.condition,
      expiration: quote.expiration,
    };
    let lastProblem = "";
    for (let attempt = 1; attempt <= this.maxSendAttempts; attempt++) {
      const x = await this.exchange("POST", "transfers", "transfers", `transfers/${ids.transferId}`, payeeFsp, transferBody);
      if (x.kind === "callback") {
        const m = x.message;
        if (m.kind === "result") return this.transferOutcome(i.id, ids.transferId, m.body, quote.condition, "transfer");
        if (!errorLeavesTransferOpen(m.errorCode)) return failed(fspiopErrorReason("transfer", m.errorCode, m.errorDescription));
        const known = await this.statusOne(i.id);
        return this.fromStatus(i.id, known, fspiopErrorReason("transfer", m.errorCode, m.errorDescription));
      }
      if (x.kind === "timeout") return { id: i.id, status: "UNKNOWN", reason: `transfer: no callback within ${this.timeoutMs} ms (resolved by GET /transfers/${ids.transferId})` };
      if (x.kind === "refused" && x.status < 500) return failed(httpReason("transfer", x));
      lastProblem = x.kind === "refused" ? httpReason("transfer", x) : `transfer: ${x.problem}`;
      // 5xx or unreachable: did the switch get it? Only "not found" makes a resend safe (and even then it is the same body).
      const known = await this.statusOne(i.id);
      if (known.status !== "NOT_FOUND") return this.fromStatus(i.id, known, lastProblem);
    }
    return failed(`transfer: the switch did not accept it after ${this.maxSendAttempts} attempts (${lastProblem})`);
  }

  private async quote(i: Instruction, body: Json, payeeFsp: string, amount: string): Promise<QuoteResult> {
    const failed = (reason: string): QuoteResult => ({ ok: false, outcome: { id: i.id, status: "FAILED", reason } });
    const x = await this.retrying("quote", () => this.exchange("POST", "quotes", "quotes", `quotes/${body.quoteId}`, payeeFsp, body));
    if (x.kind === "gave-up") return failed(x.reason);
    if (x.kind === "refused") return failed(httpReason("quote", x));
    if (x.kind !== "callback") return failed("quote: no answer");
    const m = x.message;
    if (m.kind === "error") return failed(fspiopErrorReason("quote", m.errorCode, m.errorDescription));
    const q = m.body;
    if (q.transferAmount?.currency !== i.currency || fspiopAmount(String(q.transferAmount?.amount ?? "")) !== amount) {
      return failed(`quote: transferAmount ${q.transferAmount?.amount} ${q.transferAmount?.currency} differs from ${amount} ${i.currency} (fees are not supported)`);
    }
    if (typeof q.ilpPacket !== "string" || typeof q.condition !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(q.condition) || typeof q.expiration !== "string" || Number.isNaN(Date.parse(q.expiration))) {
      return failed("quote: the answer lacks a valid ilpPacket, condition or expiration");
    }
    return { ok: true, ilpPacket: q.ilpPacket, condition: q.condition, expiration: q.expiration };
  }

  /** A PUT /transfers/{ID} body → outcome. COMMITTED counts only with a fulfilment whose SHA-256 is the condition. */
  private transferOutcome(id: string, transferId: string, body: Json, condition: string | null, step: string): Outcome {
    const state = String(body.transferState ?? "");
    if (state === "COMMITTED") {
      if (!condition) return { id, status: "UNKNOWN", reason: `${step}: COMMITTED, but the condition is not known here to verify the fulfilment` };
      if (!fulfilmentMatches(body.fulfilment, condition)) {
        return { id, status: "UNKNOWN", reason: `${step}: COMMITTED with a fulfilment that does not match the condition: refused, needs an operator` };
      }
      return { id, status: "COMPLETED", reference: transferId };
    }
    if (state === "ABORTED") return { id, status: "FAILED", reason: `${step}: transfer ABORTED by the switch`, reference: transferId };
    return { id, status: "UNKNOWN", reason: `${step}: transfer is ${state || "in no known state"}` };
  }

  private fromStatus(id: string, s: StatusAnswer, context: string): Outcome {
    if (s.status === "COMPLETED") return { id, status: "COMPLETED", reference: s.reference ?? null };
    if (s.status === "FAILED") return { id, status: "FAILED", reason: `${context}; ${s.reason ?? "failed"}`, reference: s.reference ?? null };
    if (s.status === "NOT_FOUND") return { id, status: "FAILED", reason: `${context}; the switch has no such transfer (3208)` };
    return { id, status: "UNKNOWN", reason: `${context}; status: ${s.reason ?? s.status}` };
  }

  /** GET /transfers/{ID} → PUT /transfers/{ID} (or 3208 not found). */
  private async statusOne(id: string): Promise<StatusAnswer> {
    const { transferId, quoteId } = fspiopIds(id);
    const key = `transfers/${transferId}`;
    const known = this.sent.get(transferId);
    try {
      let message = this.hub.recentFor(key);
      if (!message) {
        const x = await this.exchange("GET", `transfers/${transferId}`, "transfers", key, known?.payeeFsp ?? null);
        if (x.kind === "timeout") return { id, status: "UNKNOWN", reason: `status: no callback within ${this.timeoutMs} ms` };
        if (x.kind === "unreachable") return { id, status: "UNKNOWN", reason: `status: ${x.problem}` };
        if (x.kind === "refused") return { id, status: "UNKNOWN", reason: httpReason("status", x) };
        message = x.message;
      }
      if (message.kind === "error") {
        if (message.errorCode === "3208") return { id, status: "NOT_FOUND" };
        return { id, status: "UNKNOWN", reason: fspiopErrorReason("status", message.errorCode, message.errorDescription) };
      }
      const state = String(message.body.transferState ?? "");
      if (state === "RECEIVED" || state === "RESERVED") return { id, status: "PENDING", reference: transferId };
      const condition = known?.condition ?? (state === "COMMITTED" ? await this.conditionOf(quoteId, known?.payeeFsp ?? null) : null);
      const out = this.transferOutcome(id, transferId, message.body, condition, "status");
      if (out.status === "COMPLETED") return { id, status: "COMPLETED", reference: out.reference };
      if (out.status === "FAILED") return { id, status: "FAILED", reason: out.reason, reference: transferId };
      return { id, status: "UNKNOWN", reason: out.reason };
    } catch (err) {
      return { id, status: "UNKNOWN", reason: `status: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  /** After a restart we no longer hold the condition: GET /quotes/{ID} has the switch (or payee FSP) resend the quote. */
  private async conditionOf(quoteId: string, payeeFsp: string | null): Promise<string | null> {
    const x = await this.exchange("GET", `quotes/${quoteId}`, "quotes", `quotes/${quoteId}`, payeeFsp);
    if (x.kind !== "callback" || x.message.kind !== "result") return null;
    const c = x.message.body.condition;
    return typeof c === "string" ? c : null;
  }
}
