/**
 * FSPIOP v1.1 callbacks: every request we make to a Mojaloop switch is answered `202 Accepted`, and its
 * result arrives later as a `PUT /{resource}/{ID}` (or `PUT /{resource}/{ID}/error`) on our callback
 * endpoint. This module correlates them: a sender registers a waiter for `parties/{Type}/{ID}`,
 * `quotes/{ID}` or `transfers/{ID}` *before* sending its request, the HTTP route delivers the callback to
 * it. A callback nobody waits for (late, duplicate, unknown) is still acknowledged with 200 and logged;
 * transfer results among them are kept for a while so a later status query can use them.
 *
 * The correlation is in-process: the callback must reach the process that sent the request (true with
 * in-process jobs; with several BullMQ workers behind one callback URL a late callback is only logged,
 * and the payment is settled by the status query, GET /transfers/{ID}).
 */
import type http from "node:http";
import { BodyTooLargeError, readBody, sendJson, type RouteHandler } from "@g2p/kit/http";

/** The FSPIOP resources we call and receive callbacks for. */
export type FspiopResource = "parties" | "quotes" | "transfers";

export type CallbackMessage =
  | { kind: "result"; body: Record<string, any>; source: string; destination: string | null }
  | { kind: "error"; errorCode: string; errorDescription: string; source: string; destination: string | null };

/** `application/vnd.interoperability.<resource>+json;version=1.1` (API Definition v1.1, §3.3.4.1). */
export function fspiopContentType(resource: FspiopResource | string): string {
  return `application/vnd.interoperability.${resource}+json;version=1.1`;
}

/** Accepts the versioned media type of the resource, major version 1 (any minor), optional spaces around ";". */
export function isFspiopContentType(header: string | undefined, resource: string): boolean {
  if (!header) return false;
  const m = /^application\/vnd\.interoperability\.([a-zA-Z]+)\+json\s*;\s*version\s*=\s*(\d+)(?:\.(\d+))?\s*$/.exec(header.trim());
  return !!m && m[1] === resource && m[2] === "1";
}

interface Waiter {
  resolve: (m: CallbackMessage | null) => void;
  timer: NodeJS.Timeout;
}

export interface CallbackWait {
  /** The callback, or null when none arrived within the timeout (or the wait was cancelled). */
  promise: Promise<CallbackMessage | null>;
  cancel(): void;
}

/** Correlates FSPIOP callbacks with the requests waiting for them. */
export class FspiopCallbackHub {
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** Transfer callbacks that arrived when nobody waited (late or unsolicited), newest last. */
  private readonly recent = new Map<string, { message: CallbackMessage; at: number }>();
  /** Callbacks received, delivered to a waiter, and not expected. */
  readonly counts = { received: 0, delivered: 0, unexpected: 0 };

  constructor(
    private readonly recentLimit = 10_000,
    private readonly recentTtlMs = 15 * 60_000,
  ) {}

  /** Registers interest in the callback for `key` (e.g. "transfers/<id>"); register before sending the request. */
  wait(key: string, timeoutMs: number): CallbackWait {
    let waiter!: Waiter;
    const promise = new Promise<CallbackMessage | null>((resolve) => {
      const timer = setTimeout(() => this.settle(key, waiter, null), timeoutMs);
      timer.unref?.();
      waiter = { resolve, timer };
    });
    let set = this.waiters.get(key);
    if (!set) this.waiters.set(key, (set = new Set()));
    set.add(waiter);
    return { promise, cancel: () => this.settle(key, waiter, null) };
  }

  /** Hands a callback to everyone waiting for `key`; returns false when nobody was. */
  deliver(key: string, message: CallbackMessage): boolean {
    this.counts.received++;
    const set = this.waiters.get(key);
    if (!set || set.size === 0) {
      this.counts.unexpected++;
      if (key.startsWith("transfers/")) this.remember(key, message);
      return false;
    }
    this.counts.delivered++;
    for (const w of [...set]) this.settle(key, w, message);
    return true;
  }

  /** A transfer result that arrived when nobody waited (consumed by status queries). */
  recentFor(key: string): CallbackMessage | null {
    const r = this.recent.get(key);
    if (!r) return null;
    if (Date.now() - r.at > this.recentTtlMs) {
      this.recent.delete(key);
      return null;
    }
    return r.message;
  }

  /** Requests still waiting (for tests and metrics). */
  get pending(): number {
    let n = 0;
    for (const s of this.waiters.values()) n += s.size;
    return n;
  }

  private remember(key: string, message: CallbackMessage) {
    this.recent.delete(key);
    this.recent.set(key, { message, at: Date.now() });
    while (this.recent.size > this.recentLimit) this.recent.delete(this.recent.keys().next().value!);
  }

  private settle(key: string, waiter: Waiter, message: CallbackMessage | null) {
    const set = this.waiters.get(key);
    if (!set?.delete(waiter)) return;
    if (set.size === 0) this.waiters.delete(key);
    clearTimeout(waiter.timer);
    waiter.resolve(message);
  }
}

/** The process-wide hub: the payments subgraph's callback route and its Mojaloop connectors share it. */
export const fspiopCallbacks = new FspiopCallbackHub();

interface RouteLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface CallbackRouteOptions {
  hub?: FspiopCallbackHub;
  /** Our FSP id: a callback addressed (FSPIOP-Destination) to another FSP is refused. */
  fspId: string;
  /** The path the route is mounted on (default /fspiop): callbacks are `<prefix>/transfers/{ID}` etc. */
  prefix?: string;
  log: RouteLogger;
}

/** The FSPIOP error body of a synchronous refusal (API Definition §3.2.3). */
function refuse(res: http.ServerResponse, status: number, errorCode: string, errorDescription: string) {
  sendJson(res, status, { errorInformation: { errorCode, errorDescription } });
}

/** Splits `/fspiop/parties/MSISDN/123[/SubId][/error]` into the correlation key and whether it is an error callback. */
export function parseCallbackPath(pathname: string, prefix = "/fspiop"): { resource: FspiopResource; key: string; error: boolean } | null {
  if (!pathname.startsWith(`${prefix}/`)) return null;
  let parts: string[];
  try {
    parts = pathname.slice(prefix.length + 1).split("/").map(decodeURIComponent);
  } catch {
    return null;
  }
  const error = parts[parts.length - 1] === "error";
  if (error) parts.pop();
  if (parts.some((p) => p.length === 0)) return null;
  const [resource, ...rest] = parts;
  if (resource === "parties" && (rest.length === 2 || rest.length === 3)) return { resource, key: `parties/${rest.join("/")}`, error };
  if ((resource === "quotes" || resource === "transfers") && rest.length === 1) return { resource, key: `${resource}/${rest[0]}`, error };
  return null;
}

/**
 * The HTTP handler for `PUT <prefix>/*`: checks the FSPIOP headers and the JSON body, answers 200 at once
 * (the API's callbacks are acknowledged synchronously), and hands the message to the waiting request.
 */
export function fspiopCallbackRoute(opts: CallbackRouteOptions): RouteHandler {
  const hub = opts.hub ?? fspiopCallbacks;
  const prefix = opts.prefix ?? "/fspiop";
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://callback");
    const target = parseCallbackPath(url.pathname, prefix);
    let raw: string;
    try {
      raw = await readBody(req, 5_242_880); // the API's maximum payload (5 MB)
    } catch (err) {
      if (err instanceof BodyTooLargeError) return refuse(res, 400, "3104", "Too large payload");
      throw err;
    }
    if (req.method !== "PUT") return refuse(res, 405, "3000", "Only PUT callbacks are accepted here");
    if (!target) return refuse(res, 404, "3002", `Unknown URI ${url.pathname}`);
    const contentType = req.headers["content-type"];
    if (!isFspiopContentType(contentType, target.resource)) {
      return refuse(res, 406, "3001", `Unacceptable version requested: Content-Type must be ${fspiopContentType(target.resource)}`);
    }
    const source = req.headers["fspiop-source"];
    if (typeof source !== "string" || !source || !req.headers.date) return refuse(res, 400, "3102", "Missing mandatory element: Date and FSPIOP-Source headers are required");
    const destination = typeof req.headers["fspiop-destination"] === "string" ? (req.headers["fspiop-destination"] as string) : null;
    if (destination && destination !== opts.fspId) return refuse(res, 400, "3100", `Generic validation error: FSPIOP-Destination ${destination} is not this FSP`);
    let body: Record<string, any>;
    try {
      body = JSON.parse(raw);
    } catch {
      return refuse(res, 400, "3101", "Malformed syntax: body is not JSON");
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) return refuse(res, 400, "3101", "Malformed syntax: body must be a JSON object");
    let message: CallbackMessage;
    if (target.error) {
      const info = body.errorInformation;
      if (!info || typeof info.errorCode !== "string" || typeof info.errorDescription !== "string") {
        return refuse(res, 400, "3102", "Missing mandatory element: errorInformation.errorCode and errorDescription");
      }
      message = { kind: "error", errorCode: info.errorCode, errorDescription: info.errorDescription, source, destination };
    } else {
      message = { kind: "result", body, source, destination };
    }
    res.writeHead(200, { "content-length": 0, date: new Date().toUTCString() });
    res.end();
    if (!hub.deliver(target.key, message)) {
      opts.log.warn({ key: target.key, source, error: target.error }, "FSPIOP callback for no waiting request (late, duplicate or unknown): acknowledged");
    }
  };
}
