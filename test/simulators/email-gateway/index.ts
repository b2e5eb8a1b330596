/**
 * A simulated e-mail gateway: a real HTTP server on loopback (port 0) that the payments subgraph's
 * notification outbox sends EMAIL rows to. Same shape as the SMS gateway beside it: it records what
 * arrives, de-duplicates on `messageId` (the sender's idempotency key), counts requests and accepted
 * posts per message, and can be told to be slow or to fail.
 *
 *   POST /email  { messageId, to, subject, text }  -> 202 { accepted: true }   (or 503 when a fault is set)
 *   GET  /messages                                 -> the messages received
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface EmailMessage {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  /** The Idempotency-Key header, which must equal messageId. */
  idempotencyKey: string | null;
  receivedAt: Date;
}

export interface EmailGatewayFaults {
  latencyMs?: number;
  /** Answer 503 to the next N requests. */
  failNext?: number;
}

export interface EmailGateway {
  url: string;
  messages: EmailMessage[];
  /** Requests received, including failed and duplicate ones. */
  requests: number;
  /** Accepted POSTs per messageId (a value above 1 = a duplicate the gateway absorbed). */
  receipts: Map<string, number>;
  setFaults(f: EmailGatewayFaults): void;
  /** Resolves with the first message (already received or arriving) that matches. */
  waitFor(match: (m: EmailMessage) => boolean, timeoutMs?: number): Promise<EmailMessage>;
  stop(): Promise<void>;
}

export async function startEmailGateway(initial: EmailGatewayFaults = {}): Promise<EmailGateway> {
  let faults: EmailGatewayFaults = { ...initial };
  const messages: EmailMessage[] = [];
  const receipts = new Map<string, number>();
  const waiters: { match: (m: EmailMessage) => boolean; resolve: (m: EmailMessage) => void }[] = [];
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
      let body: { messageId?: string; to?: string; subject?: string; text?: string };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return answer(400, { error: "invalid JSON" });
      }
      if (!body.messageId || !body.to || !body.subject || !body.text) return answer(400, { error: "messageId, to, subject and text are required" });
      const seenBefore = receipts.has(body.messageId);
      receipts.set(body.messageId, (receipts.get(body.messageId) ?? 0) + 1);
      if (!seenBefore) {
        const header = req.headers["idempotency-key"];
        const msg: EmailMessage = {
          messageId: body.messageId,
          to: body.to,
          subject: body.subject,
          text: body.text,
          idempotencyKey: typeof header === "string" ? header : null,
          receivedAt: new Date(),
        };
        messages.push(msg);
        for (const w of waiters.splice(0).filter((w) => (w.match(msg) ? (w.resolve(msg), false) : true))) waiters.push(w);
      }
      return answer(202, { accepted: true });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/email`,
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
        const timer = setTimeout(() => reject(new Error(`no matching e-mail within ${timeoutMs} ms (${messages.length} received)`)), timeoutMs);
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
