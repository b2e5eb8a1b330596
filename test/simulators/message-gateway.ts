/**
 * The core of the simulated message gateways (SMS, e-mail): a real HTTP server on loopback (port 0)
 * that records what arrives, de-duplicates on `messageId` (as a real aggregator does with an
 * idempotency key), counts requests and accepted posts per message, and can be told to be slow or to
 * fail. Each channel says only how a POST body becomes a message.
 *
 *   POST <path>     { messageId, to, ... }  -> 202 { accepted: true }   (or 503 when a fault is set)
 *   GET  /messages                          -> the messages received
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface MessageGatewayFaults {
  /** Delay before every answer. */
  latencyMs?: number;
  /** Answer 503 to the next N requests. */
  failNext?: number;
  /** Answer 503 to this fraction of requests (0..1), at random. */
  failRate?: number;
}

export interface MessageGateway<M extends { messageId: string }> {
  url: string;
  messages: M[];
  /** Requests received, including failed and duplicate ones. */
  requests: number;
  /** Accepted POSTs per messageId (a value above 1 = a duplicate the gateway absorbed). */
  receipts: Map<string, number>;
  setFaults(f: MessageGatewayFaults): void;
  /** Resolves with the first message (already received or arriving) that matches. */
  waitFor(match: (m: M) => boolean, timeoutMs?: number): Promise<M>;
  stop(): Promise<void>;
}

export interface Channel<M> {
  /** The POST path, e.g. "/sms". */
  path: string;
  /** What a message is called in timeout errors ("SMS", "e-mail"). */
  noun: string;
  /** The message a valid body makes, or the 400 error text for an invalid one. */
  parse(body: Record<string, unknown>, req: http.IncomingMessage): M | string;
}

export async function startMessageGateway<M extends { messageId: string }>(channel: Channel<M>, initial: MessageGatewayFaults = {}): Promise<MessageGateway<M>> {
  let faults: MessageGatewayFaults = { ...initial };
  const messages: M[] = [];
  const receipts = new Map<string, number>();
  const waiters: { match: (m: M) => boolean; resolve: (m: M) => void }[] = [];
  const state = { requests: 0 };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const answer = (status: number, body: unknown) => {
        const send = () => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        };
        if (faults.latencyMs) setTimeout(send, faults.latencyMs);
        else send();
      };
      if (req.method === "GET" && req.url === "/messages") return answer(200, messages);
      if (req.method !== "POST") return answer(405, { error: "method not allowed" });
      state.requests++;
      if ((faults.failNext ?? 0) > 0) {
        faults = { ...faults, failNext: faults.failNext! - 1 };
        return answer(503, { error: "simulated outage" });
      }
      if (faults.failRate && Math.random() < faults.failRate) return answer(503, { error: "simulated random failure" });
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return answer(400, { error: "invalid JSON" });
      }
      const msg = channel.parse(body, req);
      if (typeof msg === "string") return answer(400, { error: msg });
      const seenBefore = receipts.has(msg.messageId);
      receipts.set(msg.messageId, (receipts.get(msg.messageId) ?? 0) + 1);
      if (!seenBefore) {
        messages.push(msg);
        for (const w of waiters.splice(0).filter((w) => (w.match(msg) ? (w.resolve(msg), false) : true))) waiters.push(w);
      }
      return answer(202, { accepted: true });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${channel.path}`,
    messages,
    receipts,
    get requests() {
      return state.requests;
    },
    setFaults(f) {
      faults = { ...f };
    },
    waitFor(match, timeoutMs = 5000) {
      const found = messages.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching ${channel.noun} within ${timeoutMs} ms (${messages.length} received)`)), timeoutMs);
        waiters.push({
          match,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A required string field of a POST body. */
export const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);
