/**
 * A simulated SMS gateway: a real HTTP server on loopback (port 0) that the identity subgraph's
 * notification outbox sends to. It records what arrives, de-duplicates on `messageId` (as a real
 * aggregator does with an idempotency key) and can be told to be slow or to fail.
 *
 *   POST /sms  { messageId, to, text }  -> 202 { accepted: true }   (or 503 when a fault is set)
 *   GET  /messages                      -> the messages received
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface SmsMessage {
  messageId: string;
  to: string;
  text: string;
  receivedAt: Date;
}

export interface SmsGatewayFaults {
  /** Delay before every answer. */
  latencyMs?: number;
  /** Answer 503 to the next N requests. */
  failNext?: number;
  /** Answer 503 to this fraction of requests (0..1), at random. */
  failRate?: number;
}

export interface SmsGateway {
  url: string;
  messages: SmsMessage[];
  /** Requests received, including failed and duplicate ones. */
  requests: number;
  /** Accepted POSTs per messageId (a value above 1 = a duplicate the gateway absorbed). */
  receipts: Map<string, number>;
  setFaults(f: SmsGatewayFaults): void;
  /** Resolves with the first message (already received or arriving) that matches. */
  waitFor(match: (m: SmsMessage) => boolean, timeoutMs?: number): Promise<SmsMessage>;
  /** How many messages went to `to` so far. */
  countTo(to: string): number;
  /** The 6-digit code of the (n+1)-th message to `to`, n = `countTo(to)` before the request. */
  otpFor(to: string, n: number, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startSmsGateway(initial: SmsGatewayFaults = {}): Promise<SmsGateway> {
  let faults: SmsGatewayFaults = { ...initial };
  const messages: SmsMessage[] = [];
  const seen = new Set<string>();
  const receipts = new Map<string, number>();
  const waiters: { match: (m: SmsMessage) => boolean; resolve: (m: SmsMessage) => void }[] = [];
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
      let body: { messageId?: string; to?: string; text?: string };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return answer(400, { error: "invalid JSON" });
      }
      if (!body.messageId || !body.to || !body.text) return answer(400, { error: "messageId, to and text are required" });
      receipts.set(body.messageId, (receipts.get(body.messageId) ?? 0) + 1);
      if (!seen.has(body.messageId)) {
        seen.add(body.messageId);
        const msg = { messageId: body.messageId, to: body.to, text: body.text, receivedAt: new Date() };
        messages.push(msg);
        for (const w of waiters.splice(0).filter((w) => (w.match(msg) ? (w.resolve(msg), false) : true))) waiters.push(w);
      }
      return answer(202, { accepted: true });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const gw: SmsGateway = {
    url: `http://127.0.0.1:${port}/sms`,
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
        const timer = setTimeout(() => reject(new Error(`no matching SMS within ${timeoutMs} ms (${messages.length} received)`)), timeoutMs);
        waiters.push({
          match,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
    countTo: (to) => messages.filter((m) => m.to === to).length,
    async otpFor(to, n, timeoutMs) {
      const msg = await gw.waitFor((m) => m.to === to && messages.filter((x) => x.to === to).indexOf(m) >= n, timeoutMs);
      const code = /\b(\d{6})\b/.exec(msg.text)?.[1];
      if (!code) throw new Error(`no OTP in SMS: ${msg.text}`);
      return code;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return gw;
}
