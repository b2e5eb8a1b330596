import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import { parse as parseYaml } from "yaml";
import { dataOf, type TestSubgraph } from "@g2p/kit";
import { BatchStatus, DisbursementBatch } from "../src/entities/disbursement-batch.entity";

/** The simulated GSMA provider lives in test/simulators (shared with e2e and the bench); typed here to stay inside this package. */
export interface MobileMoneySim {
  url: string;
  transactions: Map<string, { amount: string; msisdn: string; transactionReference: string; serverCorrelationId: string }>;
  settlements: Map<string, number>;
  requests: number;
  duplicates: number;
  bodies: unknown[];
  callbacks: { url: string; correlationId: string; body: Record<string, unknown>; status: number }[];
  batches: Map<string, { batchId: string; correlationId: string; serverCorrelationId: string; batchStatus: string; itemCount: number; completions: string[]; rejections: unknown[] }>;
  resendCallback(correlationId: string): Promise<number>;
  setFaults(f: {
    latencyMs?: number;
    errorRate?: number;
    timeoutRate?: number;
    timeoutDelayMs?: number;
    async?: boolean;
    rejectMsisdns?: string[];
    statusErrorRate?: number;
    callbackDelayMs?: number;
    dropCallbacks?: boolean;
    callbackRetries?: number;
    failMsisdns?: string[];
    batchDelayMs?: number;
    itemLatencyMs?: number;
    itemErrorRate?: number;
  }): void;
  stop(): Promise<void>;
}
export const startMobileMoneySimulator: (f?: Parameters<MobileMoneySim["setFaults"]>[0], o?: { keepBodies?: boolean }) => Promise<MobileMoneySim> =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("../../../test/simulators/mobile-money").startMobileMoneySimulator;

/** The simulated SMS gateway (test/simulators/sms-gateway, shared with identity), typed here likewise. */
export interface SmsGatewaySim {
  url: string;
  messages: { messageId: string; to: string; text: string }[];
  requests: number;
  receipts: Map<string, number>;
  setFaults(f: { latencyMs?: number; failNext?: number; failRate?: number }): void;
  waitFor(match: (m: { messageId: string; to: string; text: string }) => boolean, timeoutMs?: number): Promise<{ messageId: string; to: string; text: string }>;
  stop(): Promise<void>;
}
export const startSmsGateway: () => Promise<SmsGatewaySim> =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("../../../test/simulators/sms-gateway").startSmsGateway;

/** The simulated e-mail gateway (test/simulators/email-gateway), typed here likewise. */
export interface EmailMessageSim {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  idempotencyKey: string | null;
}
export interface EmailGatewaySim {
  url: string;
  messages: EmailMessageSim[];
  requests: number;
  receipts: Map<string, number>;
  setFaults(f: { latencyMs?: number; failNext?: number }): void;
  waitFor(match: (m: EmailMessageSim) => boolean, timeoutMs?: number): Promise<EmailMessageSim>;
  stop(): Promise<void>;
}
export const startEmailGateway: () => Promise<EmailGatewaySim> =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("../../../test/simulators/email-gateway").startEmailGateway;

export const FINANCE = { role: "finance_officer" as const, sub: "finance-1" };
export const APPROVER = { role: "approver" as const, sub: "approver-1" };
export const ADMIN = { role: "admin" as const, sub: "admin-1" };

const FUND = `mutation ($p: String!, $c: String!, $a: String!, $r: String!) { fundProgram(programCode: $p, currency: $c, amount: $a, reference: $r) { code balance held } }`;
const PROVIDER = `mutation ($i: PaymentProviderInput!) { upsertPaymentProvider(input: $i) { code connector } }`;

export async function fund(sg: TestSubgraph, program: string, amount: string, reference = `ref-${program}-${amount}-${Math.random()}`) {
  return dataOf(await sg.request(FUND, { p: program, c: "KES", a: amount, r: reference }, FINANCE)).fundProgram;
}

export async function provider(sg: TestSubgraph, code: string, url: string | null, connector = "GSMA") {
  return dataOf(await sg.request(PROVIDER, { i: { code, name: code, kind: "WALLET", connector, endpointUrl: url } }, FINANCE)).upsertPaymentProvider;
}

/** Waits until the batch reaches one of `states` (read from the database). */
export async function waitForBatch(sg: TestSubgraph, id: string, states: BatchStatus[], timeoutMs = 30_000): Promise<DisbursementBatch> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const b = await sg.orm.em.fork().findOne(DisbursementBatch, id);
    if (b && states.includes(b.status)) return b;
    if (Date.now() > deadline) throw new Error(`batch ${id} is ${b?.status} (${b?.statusReason}) after ${timeoutMs} ms, wanted ${states.join("|")}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

export const FINAL = [BatchStatus.COMPLETED, BatchStatus.PARTIALLY_COMPLETED, BatchStatus.FAILED, BatchStatus.CANCELLED, BatchStatus.AUTHORIZATION_DENIED, BatchStatus.REJECTED];

// Unmodified copies of the official specifications (see test/fixtures/standards/README.md).
const STANDARDS = path.resolve(__dirname, "../../../test/fixtures/standards");

/**
 * OpenAPI 3.0 schema objects differ from JSON Schema in two ways that matter here: boolean
 * exclusiveMinimum/exclusiveMaximum (draft-04) and `nullable`. Rewritten, not loosened.
 */
export function fromOpenApi30(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fromOpenApi30);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) out[k] = fromOpenApi30(v);
  for (const [flag, bound] of [["exclusiveMinimum", "minimum"], ["exclusiveMaximum", "maximum"]] as const) {
    if (out[flag] === true && typeof out[bound] === "number") {
      out[flag] = out[bound];
      delete out[bound];
    } else if (out[flag] === false) delete out[flag];
  }
  if (out.nullable === true && typeof out.type === "string") out.type = [out.type, "null"];
  delete out.nullable;
  return out;
}

/** A validator for one schema of the GSMA Mobile Money API v1.2 (disbursements) OpenAPI components. */
export function gsmaSchema(name: string) {
  const doc = parseYaml(readFileSync(path.join(STANDARDS, "gsma-mobile-money-api/mobile-money-api-specification-1.2.0-disbursements.yaml"), "utf8"));
  // ajv 8: OpenAPI int32/date-time formats are not checked; the GSMA patterns use escapes (\\,) that are
  // invalid in unicode mode, hence unicodeRegExp: false.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false });
  ajv.addSchema({ $id: "gsma", components: { schemas: fromOpenApi30(doc.components.schemas) } });
  return ajv.compile({ $ref: `gsma#/components/schemas/${name}` });
}

/**
 * Payments reads its own settings (PAYMENTS_*) from process.env when a job runs, not from the env
 * given to startTestSubgraph (that one configures the kit): set them here for the file's duration.
 */
export function usePaymentsEnv(vars: Record<string, string>): void {
  const before: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const [k, v] of Object.entries(vars)) {
      before[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(() => {
    for (const k of Object.keys(vars)) {
      if (before[k] === undefined) delete process.env[k];
      else process.env[k] = before[k];
    }
  });
}
