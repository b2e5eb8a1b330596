import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { createTestDatabase, dataOf, graphqlRequest, startSubgraph, startTestSubgraph, type RunningSubgraph, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";
import { BatchStatus } from "../src/entities/disbursement-batch.entity";
import { NotificationStatus, PaymentNotification } from "../src/entities/notification.entity";
import { Payment, PaymentStatus } from "../src/entities/payment.entity";
import { FINAL, FINANCE, fund, provider, startMobileMoneySimulator, startSmsGateway, waitForBatch, type MobileMoneySim, type SmsGatewaySim, usePaymentsEnv } from "./helpers";

process.env.PAYMENTS_CONNECTOR_TIMEOUT_MS = "1000";
process.env.PAYMENTS_NOTIFY_INTERVAL_MS = "50";
process.env.PAYMENTS_NOTIFY_BACKOFF_MS = "50";
process.env.PAYMENTS_NOTIFY_MAX_ATTEMPTS = "4";
process.env.PAYMENTS_STATUS_POLL_INTERVAL_MS = "0";
delete process.env.PAYMENTS_GSMA_CALLBACK_URL;

const CREATE = `mutation ($i: CreateDisbursementBatchInput!) { createDisbursementBatch(input: $i) { id status } }`;
const STATS = `query ($b: ID) { paymentNotificationStats(batchId: $b) { pending sending sent failed skipped total gatewayConfigured } }`;
const msisdn = (n: number) => `2547${String(n).padStart(8, "0")}`;

async function stats(url: string, batchId?: string) {
  return dataOf(await graphqlRequest(url, STATS, { b: batchId ?? null }, FINANCE)).paymentNotificationStats;
}

/** Waits until no notification of the batch is PENDING or SENDING. */
async function drained(url: string, batchId: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await stats(url, batchId);
    if (s.total > 0 && s.pending === 0 && s.sending === 0) return s;
    if (Date.now() > deadline) throw new Error(`notifications not drained: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function submit(url: string, key: string, program: string, payments: { instructionId: string; financialAddress: string; amount: string }[]) {
  return dataOf(await graphqlRequest(url, CREATE, { i: { clientCorrelationId: key, programCode: program, currency: "KES", payments } }, FINANCE)).createDisbursementBatch.id as string;
}

describe("beneficiary notifications (outbox → SMS gateway)", () => {
  let sg: TestSubgraph;
  let sim: MobileMoneySim;
  let sms: SmsGatewaySim;
  usePaymentsEnv({ PAYMENTS_CHUNK_SIZE: "10" });

  beforeAll(async () => {
    sim = await startMobileMoneySimulator({ rejectMsisdns: [msisdn(2)] });
    sms = await startSmsGateway();
    process.env.PAYMENTS_SMS_GATEWAY_URL = sms.url;
    sg = await startTestSubgraph(subgraph);
    await provider(sg, "mm", sim.url);
    await fund(sg, "N", "100000.00");
  });
  afterAll(async () => {
    delete process.env.PAYMENTS_SMS_GATEWAY_URL;
    await sg.stop();
    await sim.stop();
    await sms.stop();
  });
  afterEach(() => sms.setFaults({}));

  it("tells each beneficiary once of a COMPLETED or FAILED payment; no personal data in the text; skips non-MSISDN addresses with a reason", async () => {
    const payments = [
      ...Array.from({ length: 5 }, (_, i) => ({ instructionId: `n-${i}`, financialAddress: `mobile:${msisdn(i)}@mm`, amount: "25.50" })),
      { instructionId: "n-acct", financialAddress: "account:998877@mm", amount: "3.00" }, // refused by the provider (no msisdn), and not an MSISDN to text
    ];
    const id = await submit(sg.url, "n-1", "N", payments);
    expect((await waitForBatch(sg, id, FINAL)).status).toBe(BatchStatus.PARTIALLY_COMPLETED);
    const s = await drained(sg.url, id);
    expect(s).toEqual({ pending: 0, sending: 0, sent: 5, failed: 0, skipped: 1, total: 6, gatewayConfigured: true });
    const rows = await sg.orm.em.fork().find(Payment, { batchId: id });
    for (const p of rows.filter((r) => r.financialAddress!.startsWith("mobile:"))) {
      const to = p.financialAddress!.slice("mobile:".length, p.financialAddress!.indexOf("@"));
      const got = sms.messages.filter((m) => m.to === to);
      expect(got).toHaveLength(1);
      expect(sms.receipts.get(got[0]!.messageId)).toBe(1);
      expect(got[0]!.text).toContain("25.50 KES");
      if (p.status === PaymentStatus.COMPLETED) expect(got[0]!.text).toMatch(new RegExp(`sent to your account\\. Ref ${p.providerReference}\\.`));
      else expect(got[0]!.text).toMatch(/could not be completed/);
      expect(got[0]!.text).not.toContain(to);
      expect(got[0]!.text).not.toContain(p.instructionId);
    }
    expect(rows.find((p) => p.financialAddress === `mobile:${msisdn(2)}@mm`)!.status).toBe(PaymentStatus.FAILED);
    const notes = await sg.orm.em.fork().find(PaymentNotification, { batchId: id });
    const skipped = notes.find((n) => n.status === NotificationStatus.SKIPPED)!;
    expect(skipped.lastError).toBe("skipped: financial address type account is not a mobile-money MSISDN");
    // Delivered rows keep no phone number.
    expect(notes.every((n) => n.recipient == null)).toBe(true);
  });

  it("retries after SMS gateway errors with backoff, and gives up after PAYMENTS_NOTIFY_MAX_ATTEMPTS", async () => {
    sms.setFaults({ failNext: 3 });
    const requestsBefore = sms.requests;
    const id = await submit(sg.url, "n-2", "N", [{ instructionId: "r-0", financialAddress: `mobile:${msisdn(20)}@mm`, amount: "1.00" }]);
    await waitForBatch(sg, id, FINAL);
    expect(await drained(sg.url, id)).toMatchObject({ sent: 1, failed: 0 });
    const [row] = await sg.orm.em.fork().find(PaymentNotification, { batchId: id });
    expect(row!.attempts).toBe(4);
    expect(sms.requests - requestsBefore).toBe(4);
    expect(sms.messages.filter((m) => m.to === msisdn(20))).toHaveLength(1);

    sms.setFaults({ failNext: 100 });
    const id2 = await submit(sg.url, "n-3", "N", [{ instructionId: "r-1", financialAddress: `mobile:${msisdn(21)}@mm`, amount: "1.00" }]);
    await waitForBatch(sg, id2, FINAL);
    expect(await drained(sg.url, id2)).toMatchObject({ sent: 0, failed: 1 });
    const [dead] = await sg.orm.em.fork().find(PaymentNotification, { batchId: id2 });
    expect(dead).toMatchObject({ status: NotificationStatus.FAILED, attempts: 4, recipient: null, lastError: "SMS gateway answered 503" });
    expect(sms.messages.filter((m) => m.to === msisdn(21))).toHaveLength(0);
  });

  it("keeps notifications queued (and says so) while no SMS gateway is configured, then sends them", async () => {
    delete process.env.PAYMENTS_SMS_GATEWAY_URL;
    try {
      const id = await submit(sg.url, "n-4", "N", [{ instructionId: "q-0", financialAddress: `mobile:${msisdn(30)}@mm`, amount: "2.00" }]);
      await waitForBatch(sg, id, FINAL);
      await new Promise((r) => setTimeout(r, 300));
      expect(await stats(sg.url, id)).toEqual({ pending: 1, sending: 0, sent: 0, failed: 0, skipped: 0, total: 1, gatewayConfigured: false });
    } finally {
      process.env.PAYMENTS_SMS_GATEWAY_URL = sms.url;
    }
    await sms.waitFor((m) => m.to === msisdn(30), 10_000);
    const all = await stats(sg.url);
    expect(all.gatewayConfigured).toBe(true);
    expect(all.total).toBe(all.sent + all.failed + all.skipped + all.pending + all.sending);
  });
});

describe("beneficiary notifications across a restart", () => {
  let sim: MobileMoneySim;
  let sms: SmsGatewaySim;
  const dir = mkdtempSync(path.join(tmpdir(), "payments-notify-"));
  afterAll(async () => {
    delete process.env.PAYMENTS_SMS_GATEWAY_URL;
    await sim?.stop();
    await sms?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends nothing twice after a restart: delivered rows stay delivered, a row left SENDING by a crash is re-sent with the same messageId", async () => {
    sim = await startMobileMoneySimulator();
    sms = await startSmsGateway();
    process.env.PAYMENTS_SMS_GATEWAY_URL = sms.url;
    const db = await createTestDatabase();
    const start = (lease: string): Promise<RunningSubgraph> =>
      startSubgraph(subgraph, {
        env: { ...process.env, PORT: "0", DATABASE_URL: db.databaseUrl ?? "", DATA_DIR: dir, PAYMENTS_NOTIFY_LEASE_MS: lease, JOBS_QUEUE_PREFIX: `test-${randomBytes(4).toString("hex")}` },
        sqlitePath: path.join(dir, "payments.sqlite"),
      });
    let a: RunningSubgraph | null = await start("600000");
    let b: RunningSubgraph | null = null;
    try {
      await graphqlRequest(a.url, `mutation ($i: PaymentProviderInput!) { upsertPaymentProvider(input: $i) { code } }`, { i: { code: "mm", name: "mm", kind: "WALLET", connector: "GSMA", endpointUrl: sim.url } }, FINANCE);
      dataOf(await graphqlRequest(a.url, `mutation { fundProgram(programCode: "R", currency: "KES", amount: "1000.00", reference: "r-fund") { code } }`, {}, FINANCE));
      const id = await submit(a.url, "restart-1", "R", Array.from({ length: 8 }, (_, i) => ({ instructionId: `x-${i}`, financialAddress: `mobile:${msisdn(100 + i)}@mm`, amount: "5.00" })));
      const deadline = Date.now() + 20_000;
      while ((await a.orm.em.fork().findOne(Payment, { batchId: id, status: { $nin: [PaymentStatus.COMPLETED] } })) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await drained(a.url, id)).toMatchObject({ sent: 8 });
      expect(sms.messages).toHaveLength(8);
      // A crash mid-send: a worker claimed one row (and the gateway got it) but died before marking it SENT.
      const victim = (await a.orm.em.fork().find(PaymentNotification, { batchId: id }, { orderBy: { createdAt: "asc" }, limit: 1 }))[0]!;
      await a.orm.em.fork().nativeUpdate(PaymentNotification, { id: victim.id }, { status: NotificationStatus.SENDING, sentAt: null, recipient: msisdn(100), nextAttemptAt: new Date(Date.now() - 60_000) });
      await a.stop();
      a = null;
      const requestsBefore = sms.requests;
      b = await start("1000");
      expect(await drained(b.url, id)).toMatchObject({ sent: 8, pending: 0, sending: 0 });
      // Only the in-doubt row was sent again, with its messageId: the gateway de-duplicated it.
      expect(sms.requests - requestsBefore).toBe(1);
      expect(sms.receipts.get(victim.id)).toBe(2);
      expect(sms.messages).toHaveLength(8);
      expect(new Set(sms.messages.map((m) => m.to)).size).toBe(8);
      expect([...sms.receipts.entries()].filter(([k, n]) => k !== victim.id && n !== 1)).toEqual([]);
      expect(await b.orm.em.fork().count(PaymentNotification, { batchId: id })).toBe(8);
    } finally {
      await a?.stop();
      await b?.stop();
      await db.drop();
    }
  });
});
