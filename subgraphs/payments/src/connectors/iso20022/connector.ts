/**
 * Bank connector: ISO 20022 files over host-to-host HTTP (docs/payments.md, "Bank connector").
 *
 *   POST {base}/files                   pain.001.001.09 (application/xml)  → 202 accepted | 200 already had it
 *                                       | 400 + pain.002 (GrpSts RJCT: the file is refused) | 409 + pain.002 (MsgId reused)
 *   GET  {base}/reports/{MsgId}         → 200 pain.002.001.10 for the file | 404 never received
 *   GET  {base}/transactions/{E2E}      → 200 pain.002.001.10 for one transaction | 404 never received
 *   GET  {base}/statements?date=…       → camt.053.001.08        GET {base}/notifications/{MsgId} → camt.054.001.08
 *
 * One file per sub-batch (the instructions of one chunk for one bank). The MsgId is a hash of the
 * file's instructions, and EndToEndId is our payment id on every attempt: a re-upload after a crash
 * or a timeout is a duplicate the bank recognises, never a second payment. As with GSMA, a missing
 * answer is not a failure: the connector asks for the file's report before uploading again.
 */
import http from "node:http";
import https from "node:https";
import { mapLimit, type Connector, type ConnectorOptions, type Instruction, type Outcome, type StatusAnswer } from "../types";
import { buildPain001, creditorAccount, endToEndIdOf, parsePain002, XmlError, type DebtorConfig, type StatusReport, type TxStatus } from "./messages";

interface HttpAnswer {
  status: number;
  body: string;
  contentType: string;
}

export interface Iso20022Options extends ConnectorOptions {
  debtor?: DebtorConfig;
  /** How long to wait for final statuses (ACSC/RJCT) after an upload before leaving payments UNKNOWN. */
  reportWaitMs?: number;
}

/** Development defaults: the programme's account at its bank (set PAYMENTS_ISO20022_DEBTOR_* in production). */
export const DEFAULT_DEBTOR: DebtorConfig = { name: "G2P PROGRAMME", iban: "DE89370400440532013000", bic: "COBADEFFXXX" };

/** Final statuses: ACSC/ACCC settled on the creditor side; RJCT/CANC will never be paid. */
const COMPLETED = new Set(["ACSC", "ACCC"]);
const FAILED = new Set(["RJCT", "CANC"]);
/** ISO external status reason: the bank says it already has this transaction. */
const DUPLICATION = "AM05";

function reasonText(s: { reasonCode: string | null; reasonText: string | null }, status: string): string {
  return `bank: ${status}${s.reasonCode ? ` ${s.reasonCode}` : ""}${s.reasonText ? `: ${s.reasonText}` : ""}`;
}

export class Iso20022Connector implements Connector {
  readonly kind = "ISO20022";
  private readonly timeoutMs: number;
  private readonly maxSendAttempts: number;
  private readonly concurrency: number;
  private readonly reportWaitMs: number;
  private readonly debtor: DebtorConfig;
  private readonly agent: http.Agent;
  private readonly tlsAgent: https.Agent;

  constructor(
    private readonly baseUrl: string,
    opts: Iso20022Options = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxSendAttempts = opts.maxSendAttempts ?? 3;
    this.concurrency = opts.concurrency ?? 16;
    this.reportWaitMs = opts.reportWaitMs ?? 10_000;
    this.debtor = opts.debtor ?? DEFAULT_DEBTOR;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: this.concurrency });
    this.tlsAgent = new https.Agent({ keepAlive: true, maxSockets: this.concurrency });
  }

  private call(method: "GET" | "POST", path: string, body?: string): Promise<HttpAnswer> {
    const url = new URL(path, this.baseUrl);
    const lib = url.protocol === "https:" ? https : http;
    return new Promise<HttpAnswer>((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method,
          agent: url.protocol === "https:" ? this.tlsAgent : this.agent,
          headers: { accept: "application/xml", ...(body ? { "content-type": "application/xml; charset=utf-8", "content-length": Buffer.byteLength(body) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), contentType: String(res.headers["content-type"] ?? "") });
          });
          res.on("error", (err) => {
            clearTimeout(timer);
            reject(err);
          });
        },
      );
      const timer = setTimeout(() => req.destroy(new Error(`TimeoutError: no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      req.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(body);
    });
  }

  /** A pain.002 from an answer, or null when the answer is not one (then it is not trusted). */
  private report(answer: HttpAnswer): StatusReport | null {
    if (!answer.body.trim().startsWith("<")) return null;
    try {
      return parsePain002(answer.body);
    } catch {
      return null;
    }
  }

  async send(instructions: Instruction[]): Promise<Outcome[]> {
    const outcomes = new Map<string, Outcome>();
    const payable: Instruction[] = [];
    for (const i of instructions) {
      const acct = creditorAccount(i.payee);
      if ("error" in acct) outcomes.set(i.id, { id: i.id, status: "FAILED", reason: acct.error });
      else payable.push(i);
    }
    if (payable.length > 0) for (const o of await this.sendFile(payable)) outcomes.set(o.id, o);
    return instructions.map((i) => outcomes.get(i.id) ?? { id: i.id, status: "UNKNOWN", reason: "bank: no status for this transaction" });
  }

  /** Uploads one file (asking before re-uploading), then waits for final statuses up to reportWaitMs. */
  private async sendFile(list: Instruction[]): Promise<Outcome[]> {
    let file: ReturnType<typeof buildPain001>;
    try {
      file = buildPain001(list, this.debtor);
    } catch (err) {
      const reason = err instanceof XmlError ? err.message : String(err);
      return list.map((i) => ({ id: i.id, status: "FAILED" as const, reason: `pain.001 not built: ${reason}` }));
    }
    let lastProblem = "";
    let accepted = false;
    for (let attempt = 1; attempt <= this.maxSendAttempts && !accepted; attempt++) {
      let answer: HttpAnswer | null = null;
      try {
        answer = await this.call("POST", "files", file.xml);
      } catch (err) {
        lastProblem = `no answer: ${err instanceof Error ? err.message : String(err)}`;
      }
      if (answer && (answer.status === 200 || answer.status === 201 || answer.status === 202)) {
        accepted = true;
        break;
      }
      if (answer && answer.status >= 400 && answer.status < 500) {
        const r = this.report(answer);
        // Duplicate MsgId: our MsgId is a hash of the file's instructions, so the bank already has
        // these very instructions (an earlier upload whose answer we lost, a chunk re-run after a
        // crash; only CreDtTm differs): follow that file's report instead of failing anything.
        if (answer.status === 409 || r?.groupReasonCode === "DU01" || r?.groupReasonCode === "DU02") {
          accepted = true;
          break;
        }
        // The bank refused the file as a whole (schema, control sum).
        const why = r ? reasonText({ reasonCode: r.groupReasonCode, reasonText: r.groupReasonText }, r.groupStatus ?? "RJCT") : `bank refused the file: HTTP ${answer.status}`;
        return list.map((i) => ({ id: i.id, status: "FAILED" as const, reason: why }));
      }
      if (answer) lastProblem = `HTTP ${answer.status}`;
      // 5xx, timeout, dropped connection: does the bank have the file?
      const known = await this.fileReport(file.msgId);
      if (known === "NOT_FOUND") continue;
      if (known === null) return list.map((i) => ({ id: i.id, status: "UNKNOWN" as const, reason: `bank: ${lastProblem}; report unavailable` }));
      accepted = true;
    }
    if (!accepted) return list.map((i) => ({ id: i.id, status: "FAILED" as const, reason: `bank did not accept the file after ${this.maxSendAttempts} attempts (${lastProblem})` }));
    return this.awaitStatuses(list, file.msgId);
  }

  /** The file's status report; "NOT_FOUND" when the bank never received it; null when it cannot tell. */
  private async fileReport(msgId: string): Promise<StatusReport | "NOT_FOUND" | null> {
    try {
      const r = await this.call("GET", `reports/${encodeURIComponent(msgId)}`);
      if (r.status === 404) return "NOT_FOUND";
      if (r.status !== 200) return null;
      return this.report(r);
    } catch {
      return null;
    }
  }

  private async awaitStatuses(list: Instruction[], msgId: string): Promise<Outcome[]> {
    const deadline = Date.now() + this.reportWaitMs;
    const final = new Map<string, Outcome>();
    let last = new Map<string, TxStatus>();
    let wait = 20;
    for (;;) {
      const report = await this.fileReport(msgId);
      if (report && report !== "NOT_FOUND") {
        last = new Map(report.transactions.map((t) => [t.paymentId, t]));
        const groupRejected = report.groupStatus === "RJCT" && report.transactions.length === 0;
        for (const i of list) {
          if (final.has(i.id)) continue;
          if (groupRejected) {
            final.set(i.id, { id: i.id, status: "FAILED", reason: reasonText({ reasonCode: report.groupReasonCode, reasonText: report.groupReasonText }, "RJCT") });
            continue;
          }
          const t = last.get(i.id);
          if (!t) continue;
          if (COMPLETED.has(t.status)) final.set(i.id, { id: i.id, status: "COMPLETED", reference: t.reference });
          else if (FAILED.has(t.status) && t.reasonCode !== DUPLICATION) final.set(i.id, { id: i.id, status: "FAILED", reason: reasonText(t, t.status), reference: t.reference });
        }
      }
      if (final.size === list.length || Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(1, deadline - Date.now()))));
      wait = Math.min(wait * 2, 500);
    }
    // Duplicates the bank refused as such: ask what it did with the original.
    const duplicates = list.filter((i) => !final.has(i.id) && last.get(i.id)?.reasonCode === DUPLICATION);
    for (const a of await this.status(duplicates.map((i) => i.id))) {
      if (a.status === "COMPLETED") final.set(a.id, { id: a.id, status: "COMPLETED", reference: a.reference ?? null });
      else if (a.status === "FAILED") final.set(a.id, { id: a.id, status: "FAILED", reason: a.reason ?? "bank: rejected" });
    }
    return list.map(
      (i) =>
        final.get(i.id) ?? {
          id: i.id,
          status: "UNKNOWN" as const,
          reason: last.get(i.id) ? `bank: ${last.get(i.id)!.status} after ${this.reportWaitMs} ms (not final)` : `bank: no status report within ${this.reportWaitMs} ms`,
        },
    );
  }

  status(ids: string[]): Promise<StatusAnswer[]> {
    return mapLimit(ids, this.concurrency, (id) => this.statusOne(id));
  }

  private async statusOne(id: string): Promise<StatusAnswer> {
    try {
      const r = await this.call("GET", `transactions/${encodeURIComponent(endToEndIdOf(id))}`);
      if (r.status === 404) return { id, status: "NOT_FOUND" };
      const report = r.status === 200 ? this.report(r) : null;
      const t = report?.transactions.find((x) => x.paymentId === id);
      if (!t) return { id, status: "UNKNOWN", reason: `status query: ${report ? "transaction not in the report" : `HTTP ${r.status}`}` };
      if (COMPLETED.has(t.status)) return { id, status: "COMPLETED", reference: t.reference };
      if (FAILED.has(t.status)) return { id, status: "FAILED", reason: reasonText(t, t.status), reference: t.reference };
      return { id, status: "PENDING", reference: t.reference };
    } catch (err) {
      return { id, status: "UNKNOWN", reason: `status query: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
}

/** PAYMENTS_ISO20022_DEBTOR_NAME / _IBAN / _BIC (the programme's account) and PAYMENTS_ISO20022_REPORT_WAIT_MS. */
export function iso20022OptionsFromEnv(env: Record<string, string | undefined> = process.env): Iso20022Options {
  const wait = env.PAYMENTS_ISO20022_REPORT_WAIT_MS;
  return {
    debtor: {
      name: env.PAYMENTS_ISO20022_DEBTOR_NAME || DEFAULT_DEBTOR.name,
      iban: env.PAYMENTS_ISO20022_DEBTOR_IBAN || DEFAULT_DEBTOR.iban,
      bic: env.PAYMENTS_ISO20022_DEBTOR_BIC || DEFAULT_DEBTOR.bic,
    },
    reportWaitMs: wait && /^\d+$/.test(wait) ? Number(wait) : undefined,
  };
}
