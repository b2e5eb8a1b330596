import { randomBytes } from "node:crypto";
import { dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";
import { startStatusPoller } from "../src/background";
import { gsmaCallbackToken } from "../src/connectors/gsma";
import { BatchStatus } from "../src/entities/disbursement-batch.entity";
import { JournalEntry, LedgerAccount } from "../src/entities/ledger.entity";
import { PaymentNotification } from "../src/entities/notification.entity";
import { Payment, PaymentStatus } from "../src/entities/payment.entity";
import { trialBalance } from "../src/services/ledger.service";
import { APPROVER, FINAL, FINANCE, fund, gsmaSchema, provider, startMobileMoneySimulator, waitForBatch, type MobileMoneySim, usePaymentsEnv } from "./helpers";

const SECRET = randomBytes(32).toString("hex");
process.env.PAYMENTS_CONNECTOR_TIMEOUT_MS = "1000";
process.env.PAYMENTS_CALLBACK_SECRET = SECRET;
process.env.PAYMENTS_STATUS_POLL_INTERVAL_MS = "0"; // the poller is started by hand in the lost-callback test

const CREATE = `mutation ($i: CreateDisbursementBatchInput!) { createDisbursementBatch(input: $i) { id status } }`;
const msisdn = (n: number) => `2547${String(n).padStart(8, "0")}`;

async function balances(sg: TestSubgraph) {
  const accounts = await sg.orm.em.fork().find(LedgerAccount, {});
  return Object.fromEntries(accounts.map((a) => [a.code, a.balance]));
}

async function auditCount(sg: TestSubgraph, action: string): Promise<number> {
  const rows = await sg.orm.em.getConnection().execute<{ n: number | string }[]>(`select count(*) as n from ${sg.config.DATABASE_URL ? '"payments".' : ""}"audit_log" where action = ?`, [action]);
  return Number(rows[0]!.n);
}

describe("GSMA callbacks (X-Callback-URL)", () => {
  let sg: TestSubgraph;
  let sim: MobileMoneySim;
  let base: string;
  usePaymentsEnv({ PAYMENTS_CHUNK_SIZE: "10" });

  beforeAll(async () => {
    sim = await startMobileMoneySimulator({}, { keepBodies: true });
    sg = await startTestSubgraph(subgraph);
    base = sg.url.replace(/\/graphql$/, "/callbacks/gsma");
    process.env.PAYMENTS_GSMA_CALLBACK_URL = base;
    await provider(sg, "cbm", sim.url);
    await fund(sg, "CB", "100000.00");
  });
  afterAll(async () => {
    delete process.env.PAYMENTS_GSMA_CALLBACK_URL;
    await sg.stop();
    await sim.stop();
  });
  afterEach(() => sim.setFaults({}));

  const put = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/${path}`, { method: "PUT", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

  let settledId = "";

  it("asks for callbacks and settles payments from them: COMPLETED and FAILED, ledger as for a polled outcome, bodies valid against the GSMA schemas", async () => {
    // The provider takes a while (as real ones do): the dispatch's own status query still sees "pending".
    sim.setFaults({ callbackDelayMs: 1500, failMsisdns: [msisdn(3)] });
    const before = await balances(sg);
    const payments = Array.from({ length: 12 }, (_, i) => ({ instructionId: `c-${i}`, financialAddress: `mobile:${msisdn(i)}@cbm`, amount: "10.50" }));
    const { id } = dataOf(await sg.request(CREATE, { i: { clientCorrelationId: "cb-1", programCode: "CB", currency: "KES", payments } }, FINANCE)).createDisbursementBatch;
    const batch = await waitForBatch(sg, id, FINAL, 30_000);
    expect(batch.status).toBe(BatchStatus.PARTIALLY_COMPLETED);
    const rows = await sg.orm.em.fork().find(Payment, { batchId: id }, { orderBy: { seq: "asc" } });
    expect(rows.filter((p) => p.status === PaymentStatus.COMPLETED)).toHaveLength(11);
    const failed = rows.find((p) => p.status === PaymentStatus.FAILED)!;
    expect(failed.financialAddress).toBe(`mobile:${msisdn(3)}@cbm`);
    expect(failed.statusReason).toMatch(/^provider: businessRule\.genericError/);
    expect(rows.filter((p) => p.status === PaymentStatus.COMPLETED).every((p) => /^TX/.test(p.providerReference ?? ""))).toBe(true);
    // Each was sent once, asked for a callback, and settled by it (not by polling: no GET /responses hit needed).
    for (const p of rows) expect(sim.settlements.get(p.id)).toBe(1);
    // The simulator logs a delivery once our answer is back, which may be just after the batch closed.
    const mine = () => sim.callbacks.filter((c) => rows.some((p) => p.id === c.correlationId));
    for (let i = 0; i < 100 && mine().length < 12; i++) await new Promise((r) => setTimeout(r, 20));
    const delivered = mine();
    expect(delivered).toHaveLength(12);
    expect(delivered.every((c) => c.status === 204)).toBe(true);
    expect(delivered.every((c) => c.url.startsWith(`${base}/`) && c.url.endsWith(`/${gsmaCallbackToken(SECRET, c.correlationId)}`))).toBe(true);
    expect(await auditCount(sg, "payment.callback")).toBe(12);
    // Ledger: UNKNOWN parked on PAYABLE at dispatch, then PAYABLE → SETTLEMENT (11) and PAYABLE → FUNDING (1).
    const after = await balances(sg);
    expect(Number(after["FUNDING:CB"]) - Number(before["FUNDING:CB"])).toBeCloseTo(-115.5, 2);
    expect(after["PAYABLE:CB"]).toBe("0.00");
    expect(Number(after["SETTLEMENT:cbm"]) - Number(before["SETTLEMENT:cbm"] ?? 0)).toBeCloseTo(115.5, 2);
    const t = await trialBalance(sg.orm.em.fork());
    expect(t.balances).toBe(0n);
    // Outbox rows were written with the outcome (one per final payment).
    expect(await sg.orm.em.fork().count(PaymentNotification, { batchId: id })).toBe(12);
    // Schemas: what we posted, and what the simulator called back with.
    const request = gsmaSchema("requestTransactionType");
    for (const b of sim.bodies) expect(request(b) ? null : request.errors).toBeNull();
    const okBody = gsmaSchema("responseTransaction");
    const errBody = gsmaSchema("errorObject");
    for (const c of delivered) {
      const v = "errorCategory" in c.body ? errBody : okBody;
      expect(v(c.body) ? null : v.errors).toBeNull();
    }
    settledId = rows[0]!.id;
  });

  it("treats a repeated callback as harmless: 204, nothing changes", async () => {
    const before = { balances: await balances(sg), entries: await sg.orm.em.fork().count(JournalEntry, {}), notes: await sg.orm.em.fork().count(PaymentNotification, {}), audits: await auditCount(sg, "payment.callback") };
    expect(await sim.resendCallback(settledId)).toBe(204);
    expect(await sim.resendCallback(settledId)).toBe(204);
    expect(await balances(sg)).toEqual(before.balances);
    expect(await sg.orm.em.fork().count(JournalEntry, {})).toBe(before.entries);
    expect(await sg.orm.em.fork().count(PaymentNotification, {})).toBe(before.notes);
    expect(await auditCount(sg, "payment.callback")).toBe(before.audits);
    expect((await sg.orm.em.fork().findOneOrFail(Payment, settledId)).status).toBe(PaymentStatus.COMPLETED);
  });

  it("refuses forged and unsigned callbacks (401, nothing changes); a lost callback is settled by the status poller", async () => {
    // Final at the provider after 2.5 s (after the dispatch's own status query), and its callback is lost.
    sim.setFaults({ dropCallbacks: true, callbackDelayMs: 2500 });
    const payments = [{ instructionId: "lost-0", financialAddress: `mobile:${msisdn(50)}@cbm`, amount: "7.00" }];
    const { id } = dataOf(await sg.request(CREATE, { i: { clientCorrelationId: "cb-lost", programCode: "CB", currency: "KES", payments } }, FINANCE)).createDisbursementBatch;
    await waitForBatch(sg, id, [BatchStatus.RECONCILING], 20_000);
    const p = await sg.orm.em.fork().findOneOrFail(Payment, { batchId: id });
    expect(p.status).toBe(PaymentStatus.UNKNOWN);
    expect(p.statusReason).toMatch(/awaiting its callback/);
    const before = { balances: await balances(sg), entries: await sg.orm.em.fork().count(JournalEntry, {}), audits: await auditCount(sg, "payment.callback") };
    const completed = { transactionReference: "TXFORGED", requestingOrganisationTransactionReference: p.id, transactionStatus: "completed", amount: "7", currency: "KES", type: "disbursement" };

    const noToken = await put(p.id, completed);
    expect(noToken.status).toBe(401);
    expect(((await noToken.json()) as any).errors[0].extensions.code).toBe("UNAUTHENTICATED");
    expect((await put(`${p.id}/${"A".repeat(43)}`, completed)).status).toBe(401); // forged token
    expect((await put(`${p.id}/${gsmaCallbackToken("another-secret-of-at-least-32-characters!", p.id)}`, completed)).status).toBe(401); // signed with another key
    expect((await put(`${p.id}/${gsmaCallbackToken(SECRET, settledId)}`, completed)).status).toBe(401); // another payment's token
    // A genuine token cannot carry another amount, nor a body that does not match its hash.
    const token = gsmaCallbackToken(SECRET, p.id);
    const wrongAmount = await put(`${p.id}/${token}`, { ...completed, amount: "700" });
    expect(wrongAmount.status).toBe(400);
    expect(((await wrongAmount.json()) as any).errors[0].extensions.code).toBe("BAD_USER_INPUT");
    expect((await put(`${p.id}/${token}`, completed, { "x-content-hash": "0".repeat(64) })).status).toBe(400);
    expect((await put(`${p.id}/${token}`, { hello: "world" })).status).toBe(400);

    const still = await sg.orm.em.fork().findOneOrFail(Payment, p.id);
    expect(still.status).toBe(PaymentStatus.UNKNOWN);
    expect(still.providerReference).toBeNull();
    expect(await balances(sg)).toEqual(before.balances);
    expect(await sg.orm.em.fork().count(JournalEntry, {})).toBe(before.entries);
    expect(await auditCount(sg, "payment.callback")).toBe(before.audits);
    expect((await balances(sg))["PAYABLE:CB"]).toBe("7.00");

    // The callback never comes: the status poller enqueues a status query, which settles it.
    const stop = startStatusPoller(sg, 100);
    try {
      const done = await waitForBatch(sg, id, FINAL, 20_000);
      expect(done.status).toBe(BatchStatus.COMPLETED);
    } finally {
      await stop();
    }
    const settled = await sg.orm.em.fork().findOneOrFail(Payment, p.id);
    expect(settled.status).toBe(PaymentStatus.COMPLETED);
    expect(settled.providerReference).toBe(sim.transactions.get(p.id)!.transactionReference);
    expect((await balances(sg))["PAYABLE:CB"]).toBe("0.00");
    expect(sim.settlements.get(p.id)).toBe(1);
    expect((await trialBalance(sg.orm.em.fork())).balances).toBe(0n);
  });

  it("answers 503 RETRY_LATER to a genuine callback for a payment whose outcome is not recorded yet, changing nothing; 404 for an unknown payment", async () => {
    const payments = [{ instructionId: "wait-0", financialAddress: `mobile:${msisdn(60)}@cbm`, amount: "3.00" }];
    const { id } = dataOf(await sg.request(CREATE, { i: { clientCorrelationId: "cb-wait", programCode: "CB", currency: "KES", approvalRequired: true, payments } }, FINANCE)).createDisbursementBatch;
    await waitForBatch(sg, id, [BatchStatus.PENDING_APPROVAL]);
    // Authorization commits first; the READY marks follow in their own job chunks (range by range).
    let p = await sg.orm.em.fork().findOneOrFail(Payment, { batchId: id });
    for (const until = Date.now() + 10_000; p.status === PaymentStatus.PENDING && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 20));
      p = await sg.orm.em.fork().findOneOrFail(Payment, { batchId: id });
    }
    expect(p.status).toBe(PaymentStatus.READY);
    const r = await put(`${p.id}/${gsmaCallbackToken(SECRET, p.id)}`, { transactionReference: "TX1", transactionStatus: "completed", amount: "3", currency: "KES" });
    expect(r.status).toBe(503);
    expect(((await r.json()) as any).errors[0].extensions.code).toBe("RETRY_LATER");
    expect((await sg.orm.em.fork().findOneOrFail(Payment, p.id)).status).toBe(PaymentStatus.READY);
    const ghost = "0b7e7c1e-3f3a-4b7e-9c1e-3f3a4b7e9c1e";
    expect((await put(`${ghost}/${gsmaCallbackToken(SECRET, ghost)}`, { transactionReference: "TX2", transactionStatus: "completed" })).status).toBe(404);
    // Approved afterwards, it is paid normally, through the callback.
    dataOf(await sg.request(`mutation ($id: ID!) { approveDisbursementBatch(id: $id) { status } }`, { id }, APPROVER));
    expect((await waitForBatch(sg, id, FINAL)).status).toBe(BatchStatus.COMPLETED);
  });
});
