/**
 * A simulated Mojaloop switch with one payee FSP behind it, speaking FSPIOP v1.1 over loopback HTTP (port 0).
 *
 *   GET  /parties/{Type}/{ID}   202, then PUT <payer>/parties/{Type}/{ID}  (or …/error 3204 party not found)
 *   POST /quotes                202, then PUT <payer>/quotes/{ID}          ilpPacket (ILPv4 Prepare), condition, expiration
 *   GET  /quotes/{ID}           202, then the stored quote again           (or …/error 3205)
 *   POST /transfers             202, then PUT <payer>/transfers/{ID}       COMMITTED + fulfilment (or …/error 5xxx, 3106, 3303)
 *   GET  /transfers/{ID}        202, then PUT <payer>/transfers/{ID}       the stored state (or …/error 3208)
 *
 * <payer> is the callback base URL registered for the FSPIOP-Source of the request (`participants`), as a
 * real hub keeps each participant's endpoints. Each quote gets a fresh random 32-byte preimage (the
 * fulfilment); the condition is base64url(SHA-256(preimage)). POSTs are idempotent on their id with a hash of
 * the body, like the central ledger: same body again → the callback is sent again (nothing new happens),
 * another body → 3106 modified request. Transfers are settled at most once per id (`settlements`).
 *
 * Every request is checked like a switch would (versioned Content-Type/Accept, Date, FSPIOP-Source, the body
 * against the official OpenAPI schema); every message in and out is kept in `messages` for tests.
 * Faults: callback latency, a rate of payee errors, a rate of transfers committed without a callback,
 * a rate of 503s (not processed), unknown parties, and a wrong fulfilment.
 */
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fspiopValidator } from "./schema";

export interface MojaloopFaults {
  /** Delay before each callback (ms). */
  latencyMs?: number;
  /** Fraction (0..1) of new transfers refused by the payee FSP with an error callback (nothing settled). */
  errorRate?: number;
  /** The FSPIOP error code of those refusals (default 5105 Payee FSP rejected transaction). */
  errorCode?: string;
  /** Fraction (0..1) of new quotes refused by the payee FSP (5101 Payee rejected quote). */
  quoteErrorRate?: number;
  /** Fraction (0..1) of new transfers committed (settled) whose callback is never sent. */
  noCallbackRate?: number;
  /** Fraction (0..1) of POSTs answered 503 without processing them. */
  httpErrorRate?: number;
  /** The next N POST /transfers are answered 503 without processing them. */
  transferHttpErrors?: number;
  /** GET /transfers/{ID} is accepted (202) but never called back (the switch cannot answer status queries). */
  statusNoCallback?: boolean;
  /** Party identifiers the account lookup does not know (3204). */
  unknownParties?: string[];
  /** Every transfer callback carries a fulfilment that does not match the condition. */
  badFulfilment?: boolean;
}

export interface SimMessage {
  direction: "request" | "callback";
  method: string;
  /** Relative to the API root, e.g. "/transfers/5f…/error". */
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface SimTransfer {
  transferId: string;
  quoteId: string;
  amount: string;
  currency: string;
  payerFsp: string;
  payeeFsp: string;
  state: "RECEIVED" | "COMMITTED" | "ABORTED";
  fulfilment: string | null;
  completedTimestamp: string | null;
  error: { errorCode: string; errorDescription: string } | null;
  hash: string;
}

export interface MojaloopSimulator {
  /** Base URL of the switch's FSPIOP API (ends with "/"). */
  url: string;
  /** This switch's name (FSPIOP-Source of its own callbacks). */
  switchId: string;
  payeeFsp: string;
  /** FSP id → callback base URL (the participant's registered endpoints). */
  participants: Map<string, string>;
  transfers: Map<string, SimTransfer>;
  /** Times each transferId was settled (must never exceed 1). */
  settlements: Map<string, number>;
  /** POST /transfers and POST /quotes that repeated a known id. */
  duplicates: number;
  requests: number;
  /** Requests refused because a header or the body broke the FSPIOP definition. */
  invalid: { path: string; problems: string[] }[];
  callbackFailures: number;
  messages: SimMessage[];
  setFaults(f: MojaloopFaults): void;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256b64url = (b: Buffer) => createHash("sha256").update(b).digest("base64url");

/** Hash of a JSON body independent of key order (the ledger's duplicate check compares payloads, not bytes). */
function canonicalHash(body: unknown): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canon) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as any)[k])])) : v;
  return createHash("sha256").update(JSON.stringify(canon(body))).digest("hex");
}

/** OER length prefix (ASN.1 OER, as used by ILP). */
function oerLength(n: number): Buffer {
  if (n < 128) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const varOctets = (b: Buffer) => Buffer.concat([oerLength(b.length), b]);

/** An ILPv4 Prepare packet (RFC 0027): amount in units of 10^-4, expiry, condition, destination address, data. */
export function ilpPrepare(amount: string, expiresAt: Date, condition: Buffer, destination: string, data: Buffer): string {
  const [int, frac = ""] = amount.split(".");
  const units = BigInt(int!) * 10_000n + BigInt((frac + "0000").slice(0, 4));
  const amountBytes = Buffer.alloc(8);
  amountBytes.writeBigUInt64BE(units);
  const t = expiresAt.toISOString(); // 2026-01-02T03:04:05.678Z → 20260102030405678
  const expiry = Buffer.from(t.slice(0, 4) + t.slice(5, 7) + t.slice(8, 10) + t.slice(11, 13) + t.slice(14, 16) + t.slice(17, 19) + t.slice(20, 23), "ascii");
  const content = Buffer.concat([amountBytes, expiry, condition, varOctets(Buffer.from(destination, "ascii")), varOctets(data)]);
  return Buffer.concat([Buffer.from([12]), oerLength(content.length), content]).toString("base64url");
}

interface SimQuote {
  quoteId: string;
  hash: string;
  payerFsp: string;
  amount: string;
  currency: string;
  condition: string;
  fulfilment: string;
  response: Record<string, unknown> | null;
  error: { errorCode: string; errorDescription: string } | null;
}

export async function startMojaloopSimulator(
  initial: MojaloopFaults = {},
  opts: { payeeFsp?: string; switchId?: string; participants?: Record<string, string>; quoteExpiryMs?: number } = {},
): Promise<MojaloopSimulator> {
  let faults: MojaloopFaults = { ...initial };
  const validator = fspiopValidator();
  const payeeFsp = opts.payeeFsp ?? "payeefsp";
  const switchId = opts.switchId ?? "switch";
  const quotes = new Map<string, SimQuote>();
  const quotesByCondition = new Map<string, SimQuote>();
  const sim: MojaloopSimulator = {
    url: "",
    switchId,
    payeeFsp,
    participants: new Map(Object.entries(opts.participants ?? {})),
    transfers: new Map(),
    settlements: new Map(),
    duplicates: 0,
    requests: 0,
    invalid: [],
    callbackFailures: 0,
    messages: [],
    setFaults: (f) => {
      faults = { ...f };
    },
    stop: async () => {},
  };
  const callbackAgent = new http.Agent({ keepAlive: false });

  /** PUT <participant>/<path> with the FSPIOP callback headers. */
  const callback = async (destination: string, source: string, resource: string, path: string, body: unknown) => {
    if (faults.latencyMs) await sleep(faults.latencyMs);
    const base = sim.participants.get(destination);
    if (!base) {
      sim.callbackFailures++;
      return;
    }
    const headers: Record<string, string> = {
      "content-type": `application/vnd.interoperability.${resource}+json;version=1.1`,
      date: new Date().toUTCString(),
      "fspiop-source": source,
      "fspiop-destination": destination,
    };
    sim.messages.push({ direction: "callback", method: "PUT", path, headers, body });
    const payload = JSON.stringify(body);
    const url = new URL(base.replace(/\/$/, "") + path);
    await new Promise<void>((resolve) => {
      const req = http.request(url, { method: "PUT", agent: callbackAgent, headers: { ...headers, "content-length": Buffer.byteLength(payload) }, timeout: 5000 }, (res) => {
        res.resume();
        res.on("end", () => {
          if ((res.statusCode ?? 0) >= 300) sim.callbackFailures++;
          resolve();
        });
      });
      req.on("timeout", () => req.destroy(new Error("callback timed out")));
      req.on("error", () => {
        sim.callbackFailures++;
        resolve();
      });
      req.end(payload);
    });
  };
  const errorCallback = (destination: string, source: string, resource: string, path: string, errorCode: string, errorDescription: string) =>
    callback(destination, source, resource, `${path}/error`, { errorInformation: { errorCode, errorDescription } });

  const refuse = (res: http.ServerResponse, status: number, errorCode: string, errorDescription: string) => {
    const text = JSON.stringify({ errorInformation: { errorCode, errorDescription } });
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), date: new Date().toUTCString() });
    res.end(text);
  };
  const accepted = (res: http.ServerResponse) => {
    res.writeHead(202, { "content-length": 0, date: new Date().toUTCString() });
    res.end();
  };

  const transferCallback = (t: SimTransfer) => {
    const path = `/transfers/${t.transferId}`;
    if (t.error) return errorCallback(t.payerFsp, payeeFsp, "transfers", path, t.error.errorCode, t.error.errorDescription);
    const fulfilment = faults.badFulfilment && t.fulfilment ? randomBytes(32).toString("base64url") : t.fulfilment;
    return callback(t.payerFsp, payeeFsp, "transfers", path, {
      transferState: t.state,
      ...(t.state === "COMMITTED" ? { fulfilment, completedTimestamp: t.completedTimestamp } : {}),
    });
  };

  const quoteCallback = (q: SimQuote) =>
    q.error
      ? errorCallback(q.payerFsp, payeeFsp, "quotes", `/quotes/${q.quoteId}`, q.error.errorCode, q.error.errorDescription)
      : callback(q.payerFsp, payeeFsp, "quotes", `/quotes/${q.quoteId}`, q.response);

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, raw: string) => {
    const url = new URL(req.url ?? "/", "http://switch");
    const path = url.pathname.replace(/\/+$/, "");
    const method = req.method ?? "GET";
    const resource = path.split("/")[1] ?? "";
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v ?? "")]));
    let body: any = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return refuse(res, 400, "3101", "Malformed syntax: body is not JSON");
      }
    }
    sim.messages.push({ direction: "request", method, path, headers, body });
    if (!["parties", "quotes", "transfers"].includes(resource)) return refuse(res, 404, "3002", `Unknown URI ${path}`);
    // Headers: the versioned media type of the resource, and what the definition marks as required.
    const media = new RegExp(`^application/vnd\\.interoperability\\.${resource}\\+json;version=1(\\.\\d+)?$`);
    if (!media.test(headers["accept"] ?? "") || !media.test(headers["content-type"] ?? "")) {
      sim.invalid.push({ path, problems: [`accept/content-type: ${headers["accept"]} / ${headers["content-type"]}`] });
      return refuse(res, 406, "3001", "Unacceptable version requested");
    }
    const missing = validator.missingHeaders(method, path, headers);
    if (missing.length > 0) {
      sim.invalid.push({ path, problems: missing.map((h) => `missing header ${h}`) });
      return refuse(res, 400, "3102", `Missing mandatory element: ${missing.join(", ")}`);
    }
    const problems = validator.request(method, path, body);
    if (problems) {
      sim.invalid.push({ path, problems });
      return refuse(res, 400, "3100", `Generic validation error: ${problems.join("; ").slice(0, 100)}`);
    }
    const payer = headers["fspiop-source"]!;
    if (!sim.participants.has(payer)) return refuse(res, 400, "3202", `Payer FSP ID not found: ${payer}`);
    if (method === "POST" && faults.httpErrorRate && Math.random() < faults.httpErrorRate) return refuse(res, 503, "2003", "Service currently unavailable");

    let m: RegExpExecArray | null;
    if (method === "GET" && (m = /^\/parties\/([^/]+)\/([^/]+)$/.exec(path))) {
      accepted(res);
      const [type, id] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
      const cbPath = `/parties/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;
      if (faults.unknownParties?.includes(id)) return errorCallback(payer, switchId, "parties", cbPath, "3204", "Party not found");
      return callback(payer, payeeFsp, "parties", cbPath, {
        party: { partyIdInfo: { partyIdType: type, partyIdentifier: id, fspId: payeeFsp }, name: "Simulated Payee" },
      });
    }
    if (method === "POST" && path === "/quotes") {
      accepted(res);
      const hash = canonicalHash(body);
      const known = quotes.get(body.quoteId);
      if (known) {
        sim.duplicates++;
        if (known.hash !== hash) return errorCallback(payer, switchId, "quotes", `/quotes/${body.quoteId}`, "3106", "Modified request: quoteId reused with another payload");
        return quoteCallback(known);
      }
      const preimage = randomBytes(32);
      const conditionBytes = createHash("sha256").update(preimage).digest();
      const expiresAt = new Date(Date.now() + (opts.quoteExpiryMs ?? 60_000));
      const transaction = { transactionId: body.transactionId, quoteId: body.quoteId, payee: body.payee, payer: body.payer, amount: body.amount, transactionType: body.transactionType };
      const ilpPacket = ilpPrepare(body.amount.amount, expiresAt, conditionBytes, `g.${payeeFsp}.${String(body.payee.partyIdInfo.partyIdType).toLowerCase()}.${body.payee.partyIdInfo.partyIdentifier}`, Buffer.from(JSON.stringify(transaction)));
      const q: SimQuote = {
        quoteId: body.quoteId,
        hash,
        payerFsp: payer,
        amount: body.amount.amount,
        currency: body.amount.currency,
        condition: conditionBytes.toString("base64url"),
        fulfilment: preimage.toString("base64url"),
        response: null,
        error: null,
      };
      if (body.payee.partyIdInfo.fspId && body.payee.partyIdInfo.fspId !== payeeFsp) q.error = { errorCode: "3203", errorDescription: "Payee FSP ID not found" };
      else if (faults.quoteErrorRate && Math.random() < faults.quoteErrorRate) q.error = { errorCode: "5101", errorDescription: "Payee rejected quote" };
      else q.response = { transferAmount: { ...body.amount }, payeeReceiveAmount: { ...body.amount }, expiration: expiresAt.toISOString(), ilpPacket, condition: q.condition };
      quotes.set(q.quoteId, q);
      quotesByCondition.set(q.condition, q);
      return quoteCallback(q);
    }
    if (method === "GET" && (m = /^\/quotes\/([^/]+)$/.exec(path))) {
      accepted(res);
      const q = quotes.get(m[1]!);
      if (!q) return errorCallback(payer, switchId, "quotes", `/quotes/${m[1]}`, "3205", "Quote ID not found");
      return quoteCallback(q);
    }
    if (method === "POST" && path === "/transfers") {
      if (faults.transferHttpErrors && faults.transferHttpErrors > 0) {
        faults.transferHttpErrors--;
        return refuse(res, 503, "2003", "Service currently unavailable");
      }
      accepted(res);
      const hash = canonicalHash(body);
      const known = sim.transfers.get(body.transferId);
      if (known) {
        sim.duplicates++;
        if (known.hash !== hash) return errorCallback(payer, switchId, "transfers", `/transfers/${body.transferId}`, "3106", "Modified request: transferId reused with another payload");
        return transferCallback(known); // same request again: the result again, nothing new happens
      }
      const t: SimTransfer = {
        transferId: body.transferId,
        quoteId: "",
        amount: body.amount.amount,
        currency: body.amount.currency,
        payerFsp: payer,
        payeeFsp: body.payeeFsp,
        state: "RECEIVED",
        fulfilment: null,
        completedTimestamp: null,
        error: null,
        hash,
      };
      sim.transfers.set(t.transferId, t);
      const q = quotesByCondition.get(body.condition);
      const abort = (errorCode: string, errorDescription: string) => {
        t.state = "ABORTED";
        t.error = { errorCode, errorDescription };
      };
      if (body.payerFsp !== payer) abort("3100", "Generic validation error: payerFsp differs from FSPIOP-Source");
      else if (body.payeeFsp !== payeeFsp) abort("3203", "Payee FSP ID not found");
      else if (!q || q.response === null) abort("5105", "Payee FSP rejected transaction: no quote with this condition");
      else if (q.amount !== t.amount || q.currency !== t.currency) abort("5104", "Payee rejected transaction: amount differs from the quote");
      else if (Date.parse(body.expiration) <= Date.now()) abort("3303", "Transfer expired");
      else if (faults.errorRate && Math.random() < faults.errorRate) abort(faults.errorCode ?? "5105", "Payee FSP rejected transaction (simulated)");
      else {
        t.quoteId = q.quoteId;
        t.state = "COMMITTED";
        t.fulfilment = q.fulfilment;
        t.completedTimestamp = new Date().toISOString();
        sim.settlements.set(t.transferId, (sim.settlements.get(t.transferId) ?? 0) + 1);
        if (faults.noCallbackRate && Math.random() < faults.noCallbackRate) return;
      }
      return transferCallback(t);
    }
    if (method === "GET" && (m = /^\/transfers\/([^/]+)$/.exec(path))) {
      accepted(res);
      if (faults.statusNoCallback) return;
      const t = sim.transfers.get(m[1]!);
      if (!t) return errorCallback(payer, switchId, "transfers", `/transfers/${m[1]}`, "3208", "Transfer ID not found");
      if (t.error) return callback(payer, switchId, "transfers", `/transfers/${t.transferId}`, { transferState: "ABORTED" });
      return transferCallback(t);
    }
    return refuse(res, 405, "3000", `${method} ${path} is not served here`);
  };

  const server = http.createServer((req, res) => {
    sim.requests++;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      handle(req, res, Buffer.concat(chunks).toString("utf8")).catch((err: unknown) => {
        if (!res.headersSent) refuse(res, 500, "2001", `Internal server error: ${String(err)}`.slice(0, 128));
      });
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  sim.url = `http://127.0.0.1:${port}/`;
  sim.stop = () =>
    new Promise<void>((resolve) => {
      callbackAgent.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return sim;
}

/** base64url(SHA-256(base64url-decoded fulfilment)): the condition a fulfilment satisfies. */
export function conditionOf(fulfilment: string): string {
  return sha256b64url(Buffer.from(fulfilment, "base64url"));
}
