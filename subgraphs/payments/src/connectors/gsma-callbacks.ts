/**
 * GSMA Mobile Money API v1.2 callbacks: `PUT {X-Callback-URL}` with the final Transaction
 * (`responseTransaction`) or an `errorObject`. Served at `PUT /callbacks/gsma/<paymentId>/<token>`.
 *
 * Authentication: the token in the path is HMAC-SHA256(PAYMENTS_CALLBACK_SECRET, payment id), sent only
 * to the provider in that payment's X-Callback-URL; it is checked in constant time before anything
 * else. No token, a wrong token or no secret configured → 401, nothing read from the database. (GSMA
 * defines no body signature a provider could add; `X-Content-Hash`, an unkeyed SHA-256, is checked
 * when present, as an integrity check only.)
 *
 * Effect: through the database only (any payments process can receive it): `applyProviderCallback`,
 * i.e. the same outcome recording as a polled status answer. Idempotent: a repeat changes nothing.
 * Answers 204 (applied, duplicate, still pending), 400 (body not a GSMA transaction/error, or not this
 * payment's amount/currency), 404 (unknown payment), 409 (another final outcome is already recorded:
 * an operator must look), 503 RETRY_LATER (not recorded on our side yet).
 */
import { createHash } from "node:crypto";
import type http from "node:http";
import type { MikroORM } from "@mikro-orm/core";
import type { Logger } from "pino";
import { BodyTooLargeError, readBody, sendJson, type RouteHandler } from "@g2p/kit/http";
import { applyProviderCallback } from "../services/pipeline.service";
import { errorReasonOf, transactionOutcome, verifyGsmaCallbackToken } from "./gsma";

const PATH = /^\/callbacks\/gsma\/([0-9a-fA-F-]{36})(?:\/([^/]*))?$/;

type Json = Record<string, any>;

function refuse(res: http.ServerResponse, status: number, code: string, message: string) {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

export interface GsmaCallbackRouteOptions {
  orm: Pick<MikroORM, "em">;
  log: Logger;
  /** Read per request (PAYMENTS_CALLBACK_SECRET); callbacks are refused without one of 32+ characters. */
  secret: () => string | null;
}

export function gsmaCallbackRoute(opts: GsmaCallbackRouteOptions): RouteHandler {
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const m = PATH.exec(url.pathname);
    if (!m) {
      req.resume();
      return refuse(res, 404, "NOT_FOUND", "not a GSMA callback URL of ours");
    }
    const paymentId = m[1]!.toLowerCase();
    const secret = opts.secret();
    if (!secret || secret.length < 32 || !m[2] || !verifyGsmaCallbackToken(secret, paymentId, m[2])) {
      req.resume();
      opts.log.warn({ paymentId, ip: req.socket.remoteAddress }, "GSMA callback refused: bad token");
      return refuse(res, 401, "UNAUTHENTICATED", "callback token missing or invalid");
    }
    let raw: string;
    try {
      raw = await readBody(req, 64 * 1024);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return refuse(res, 413, "PAYLOAD_TOO_LARGE", "callback body over 64 KiB");
      throw err;
    }
    const hash = req.headers["x-content-hash"];
    if (typeof hash === "string" && hash.toLowerCase() !== createHash("sha256").update(raw, "utf8").digest("hex")) {
      return refuse(res, 400, "BAD_USER_INPUT", "X-Content-Hash does not match the body");
    }
    let body: Json;
    try {
      body = JSON.parse(raw) as Json;
      if (!body || typeof body !== "object" || Array.isArray(body)) throw new Error("not an object");
    } catch {
      return refuse(res, 400, "BAD_USER_INPUT", "callback body is not a JSON object");
    }
    let outcome: { status: "COMPLETED" | "FAILED"; reason?: string; reference?: string | null };
    let check: { amount?: string; currency?: string } = {};
    if (typeof body.transactionStatus === "string") {
      const ref = body.requestingOrganisationTransactionReference;
      if (ref !== undefined && String(ref).toLowerCase() !== paymentId) return refuse(res, 400, "BAD_USER_INPUT", "transaction is not this payment's");
      const o = transactionOutcome(paymentId, body);
      if (!o) {
        res.writeHead(204).end(); // still pending at the provider: nothing to record
        return;
      }
      outcome = o.status === "COMPLETED" ? { status: "COMPLETED", reference: o.reference } : { status: "FAILED", reason: o.reason, reference: body.transactionReference ?? null };
      check = { amount: typeof body.amount === "string" ? body.amount : undefined, currency: typeof body.currency === "string" ? body.currency : undefined };
    } else if (typeof body.errorCategory === "string" && typeof body.errorCode === "string") {
      outcome = { status: "FAILED", reason: `provider: ${errorReasonOf(body)}` };
    } else {
      return refuse(res, 400, "BAD_USER_INPUT", "callback body is neither a GSMA transaction nor an error object");
    }
    const { result, status } = await applyProviderCallback(opts.orm.em.fork(), paymentId, outcome, { ...check, source: "gsma-callback" });
    opts.log.info({ paymentId, result, status }, "GSMA callback");
    switch (result) {
      case "applied":
      case "duplicate":
        res.writeHead(204).end();
        return;
      case "not_found":
        return refuse(res, 404, "NOT_FOUND", `payment ${paymentId} not found`);
      case "mismatch":
        return refuse(res, 400, "BAD_USER_INPUT", "amount or currency differ from the payment's");
      case "conflict":
        opts.log.error({ paymentId, recorded: status, reported: outcome.status }, "GSMA callback contradicts the recorded outcome");
        return refuse(res, 409, "CONFLICT", `payment is already ${status}`);
      case "not_yet_recorded":
        res.setHeader("retry-after", "1");
        return refuse(res, 503, "RETRY_LATER", `payment is ${status}: its outcome is not recorded yet`);
    }
  };
}
