import { randomUUID } from "node:crypto";
import { codesOf, dataOf, JobRecord, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";
import { BatchStatus } from "../src/entities/disbursement-batch.entity";
import { LedgerAccount } from "../src/entities/ledger.entity";
import { Payment, PaymentStatus } from "../src/entities/payment.entity";
import { chunkSize } from "../src/jobs/pipeline.job";
import { trialBalance } from "../src/services/ledger.service";
import { APPROVER, FINAL, FINANCE, fund, gsmaSchema, provider, startMobileMoneySimulator, waitForBatch, type MobileMoneySim, usePaymentsEnv } from "./helpers";

process.env.PAYMENTS_CONNECTOR_TIMEOUT_MS = "1000";

const CREATE = `mutation ($i: CreateDisbursementBatchInput!) { createDisbursementBatch(input: $i) { id status } }`;
const SUMMARY = `query ($id: ID!) { disbursementBatch(id: $id) { status statusReason summary { total completed failed ongoing completedAmount failedAmount progress byStatus { status count amount percentage } } } }`;

function payments(n: number, provider: string, amount = "10.00", msisdn = (i: number) => `2547${String(i).padStart(8, "0")}`) {
  return Array.from({ length: n }, (_, i) => ({ instructionId: `i-${i}`, financialAddress: `mobile:${msisdn(i)}@${provider}`, amount }));
}

async function balances(sg: TestSubgraph) {
  const accounts = await sg.orm.em.fork().find(LedgerAccount, {});
  return Object.fromEntries(accounts.map((a) => [a.code, { balance: a.balance, held: a.held }]));
}

async function expectBalancedLedger(sg: TestSubgraph) {
  const t = await trialBalance(sg.orm.em.fork());
  expect(t.balances).toBe(0n);
  expect(t.lines).toBe(0n);
}

describe("pipeline with the GSMA mobile-money connector", () => {
  let sg: TestSubgraph;
  let sim: MobileMoneySim;
  usePaymentsEnv({ PAYMENTS_CHUNK_SIZE: "25" });

  beforeAll(async () => {
    sim = await startMobileMoneySimulator({}, { keepBodies: true });
    sg = await startTestSubgraph(subgraph);
    await provider(sg, "mpesa", sim.url);
  });
  afterAll(async () => {
    await sg.stop();
    await sim.stop();
  });
  afterEach(() => {
    sim.setFaults({});
    delete process.env.PAYMENTS_GSMA_BULK_MIN_ITEMS; // set by the tests that pick a path
  });

  it("pays a batch end to end: lookup, hold, dispatch, COMPLETED, ledger balanced, bodies valid against the GSMA schema", async () => {
    await fund(sg, "P1", "10000.00");
    const registrants = Array.from({ length: 3 }, () => randomUUID());
    for (const [i, r] of registrants.entries()) {
      dataOf(await sg.request(`mutation ($b: String!, $f: String!) { linkFinancialAddress(beneficiaryId: $b, financialAddress: $f) { id } }`, { b: r, f: `mobile:25471100000${i}@mpesa` }, FINANCE));
    }
    const input = {
      clientCorrelationId: "p1",
      programCode: "P1",
      currency: "KES",
      payments: [...payments(60, "mpesa", "12.50"), ...registrants.map((registrantId, i) => ({ instructionId: `r-${i}`, registrantId, amount: "1.00" }))],
    };
    const { id } = dataOf(await sg.request(CREATE, { i: input }, FINANCE)).createDisbursementBatch;
    const batch = await waitForBatch(sg, id, FINAL);
    expect(batch.status).toBe(BatchStatus.COMPLETED);
    const summary = dataOf(await sg.request(SUMMARY, { id }, FINANCE)).disbursementBatch.summary;
    expect(summary).toMatchObject({ total: 63, completed: 63, failed: 0, ongoing: 0, completedAmount: "753.00", progress: 100 });
    const rows = await sg.orm.em.fork().find(Payment, { batchId: id });
    expect(rows.every((p) => p.providerReference && p.attempts === 1)).toBe(true);
    expect(rows.filter((p) => p.registrantId).map((p) => p.financialAddress).sort()).toEqual(["mobile:254711000000@mpesa", "mobile:254711000001@mpesa", "mobile:254711000002@mpesa"]);
    expect(rows.every((p) => sim.settlements.get(p.id) === 1)).toBe(true);
    const b = await balances(sg);
    expect(b["FUNDING:P1"]).toEqual({ balance: "9247.00", held: "0.00" });
    expect(b["SETTLEMENT:mpesa"]!.balance).toBe("753.00");
    await expectBalancedLedger(sg);
    // Depending on the chunk size the 63 payments go as GSMA batches (from PAYMENTS_GSMA_BULK_MIN_ITEMS, default 50, per chunk) or one by one: each body against its own schema.
    const single = gsmaSchema("requestTransactionType");
    const bulk = gsmaSchema("requestBatchTransaction");
    for (const body of sim.bodies) {
      const validate = Array.isArray((body as { transactions?: unknown }).transactions) ? bulk : single;
      expect(validate(body) ? null : validate.errors).toBeNull();
    }
  });

  it("denies authorization when the program's funds do not cover the batch, and holds nothing", async () => {
    await fund(sg, "P2", "100.00");
    const { id } = dataOf(await sg.request(CREATE, { i: { clientCorrelationId: "p2", programCode: "P2", currency: "KES", payments: payments(11, "mpesa") } }, FINANCE)).createDisbursementBatch;
    const batch = await waitForBatch(sg, id, FINAL);
    expect(batch.status).toBe(BatchStatus.AUTHORIZATION_DENIED);
    expect(batch.statusReason).toMatch(/insufficient funds/);
    expect(await sg.orm.em.fork().count(Payment, { batchId: id, status: PaymentStatus.CANCELLED })).toBe(11);
    expect((await balances(sg))["FUNDING:P2"]).toEqual({ balance: "100.00", held: "0.00" });
  });

  it("approval: four eyes, nothing sent before; cancel releases the hold", async () => {
    await fund(sg, "P3", "1000.00");
    const mk = (cid: string) => ({ clientCorrelationId: cid, programCode: "P3", currency: "KES", approvalRequired: true, payments: payments(5, "mpesa", "10.00", (i) => `2547300${cid.length}${i}000`) });
    const a = dataOf(await sg.request(CREATE, { i: mk("p3-a") }, FINANCE)).createDisbursementBatch;
    const b = dataOf(await sg.request(CREATE, { i: mk("p3-bb") }, FINANCE)).createDisbursementBatch;
    await waitForBatch(sg, a.id, [BatchStatus.PENDING_APPROVAL]);
    await waitForBatch(sg, b.id, [BatchStatus.PENDING_APPROVAL]);
    expect((await balances(sg))["FUNDING:P3"]).toEqual({ balance: "1000.00", held: "100.00" });
    const before = sim.requests;
    const APPROVE = `mutation ($id: ID!) { approveDisbursementBatch(id: $id) { status approvedBy } }`;
    expect(codesOf(await sg.request(APPROVE, { id: a.id }, FINANCE))).toEqual(["FORBIDDEN"]);
    expect(codesOf(await sg.request(APPROVE, { id: a.id }, { role: "admin", sub: "finance-1" }))).toEqual(["FORBIDDEN"]);
    expect(sim.requests).toBe(before);
    expect(dataOf(await sg.request(APPROVE, { id: a.id }, APPROVER)).approveDisbursementBatch).toMatchObject({ status: "APPROVED", approvedBy: "approver-1" });
    expect(codesOf(await sg.request(APPROVE, { id: a.id }, APPROVER))).toEqual(["CONFLICT"]);
    expect((await waitForBatch(sg, a.id, FINAL)).status).toBe(BatchStatus.COMPLETED);
    const cancelled = dataOf(await sg.request(`mutation ($id: ID!) { cancelDisbursementBatch(id: $id, reason: "wrong cycle") { status } }`, { id: b.id }, FINANCE));
    expect(cancelled.cancelDisbursementBatch.status).toBe("CANCELLED");
    expect(await sg.orm.em.fork().count(Payment, { batchId: b.id, status: PaymentStatus.CANCELLED })).toBe(5);
    expect((await balances(sg))["FUNDING:P3"]).toEqual({ balance: "950.00", held: "0.00" });
    expect(codesOf(await sg.request(`mutation ($id: ID!) { cancelDisbursementBatch(id: $id, reason: "again") { status } }`, { id: b.id }, FINANCE))).toEqual(["CONFLICT"]);
    await expectBalancedLedger(sg);
  });

  it("payee not found, unknown provider and provider refusals fail with a reason; retry pays the rest once", async () => {
    await fund(sg, "P4", "1000.00");
    sim.setFaults({ rejectMsisdns: ["254740000001", "254740000002"] });
    const list = [
      ...payments(4, "mpesa", "10.00", (i) => `25474000000${i}`),
      { instructionId: "nobody", beneficiaryId: "unlinked-person", amount: "5.00" },
      { instructionId: "nowhere", financialAddress: "mobile:254799999999@unknownbank", amount: "5.00" },
    ];
    const { id } = dataOf(await sg.request(CREATE, { i: { clientCorrelationId: "p4", programCode: "P4", currency: "KES", payments: list } }, FINANCE)).createDisbursementBatch;
    const batch = await waitForBatch(sg, id, FINAL);
    expect(batch.status).toBe(BatchStatus.PARTIALLY_COMPLETED);
    const rows = await sg.orm.em.fork().find(Payment, { batchId: id }, { orderBy: { seq: "asc" } });
    expect(rows.map((r) => r.status)).toEqual(["COMPLETED", "FAILED", "FAILED", "COMPLETED", "PAYEE_NOT_FOUND", "INVALID"]);
    expect(rows[1]!.statusReason).toMatch(/businessRule/);
    expect(rows[4]!.statusReason).toMatch(/succ.id.not_found/);
    expect(rows[5]!.statusReason).toMatch(/unknownbank/);
    expect((await balances(sg))["FUNDING:P4"]).toEqual({ balance: "980.00", held: "0.00" });

    sim.setFaults({});
    dataOf(await sg.request(`mutation ($id: ID!) { retryFailedPayments(batchId: $id) { status } }`, { id }, FINANCE));
    expect((await waitForBatch(sg, id, FINAL)).status).toBe(BatchStatus.PARTIALLY_COMPLETED);
    const after = await sg.orm.em.fork().find(Payment, { batchId: id }, { orderBy: { seq: "asc" } });
    expect(after.map((r) => r.status)).toEqual(["COMPLETED", "COMPLETED", "COMPLETED", "COMPLETED", "PAYEE_NOT_FOUND", "INVALID"]);
    expect(after.slice(0, 4).every((p) => sim.settlements.get(p.id) === 1)).toBe(true);
    expect((await balances(sg))["FUNDING:P4"]).toEqual({ balance: "960.00", held: "0.00" });
    expect(codesOf(await sg.request(`mutation ($id: ID!) { retryFailedPayments(batchId: $id) { status } }`, { id }, FINANCE))).toEqual(["CONFLICT"]);
    await expectBalancedLedger(sg);
  });

  it("with 20% of calls failing and some timing out, every payment ends COMPLETED or FAILED with a reason, none paid twice", async () => {
    await fund(sg, "P5", "100000.00");
    process.env.PAYMENTS_GSMA_BULK_MIN_ITEMS = "0"; // the single-transfer path (bulk has its own test below)
    sim.setFaults({ errorRate: 0.2, timeoutRate: 0.03, timeoutDelayMs: 1300 });
    const n = 300;
    const { id } = dataOf(await sg.request(CREATE, { i: { clientCorrelationId: "p5", programCode: "P5", currency: "KES", payments: payments(n, "mpesa", "3.00", (i) => `2547500${String(i).padStart(5, "0")}`) } }, FINANCE)).createDisbursementBatch;
    const batch = await waitForBatch(sg, id, [...FINAL, BatchStatus.RECONCILING], 50_000);
    const rows = await sg.orm.em.fork().find(Payment, { batchId: id });
    expect(rows.filter((p) => p.status === PaymentStatus.UNKNOWN).map((p) => p.statusReason)).toEqual([]);
    expect([BatchStatus.COMPLETED, BatchStatus.PARTIALLY_COMPLETED]).toContain(batch.status);
    for (const p of rows) {
      expect([PaymentStatus.COMPLETED, PaymentStatus.FAILED]).toContain(p.status);
      if (p.status === PaymentStatus.FAILED) expect(p.statusReason).toBeTruthy();
      expect(sim.settlements.get(p.id) ?? 0).toBe(p.status === PaymentStatus.COMPLETED ? 1 : 0);
    }
    expect(sim.requests).toBeGreaterThan(n * 1.2); // refused and timed-out calls were followed by status queries and resends
    const completed = rows.filter((p) => p.status === PaymentStatus.COMPLETED).length;
    expect((await balances(sg))["SETTLEMENT:mpesa"]).toBeDefined();
    expect((await balances(sg))["FUNDING:P5"]!.balance).toBe(`${100000 - completed * 3}.00`);
    await expectBalancedLedger(sg);
  });

  it("GSMA bulk (one POST /batchtransactions per chunk): 20% of batch POSTs failing, some timing out, 20% of items rejected → COMPLETED or FAILED with a reason, none paid twice; the retry pays the rest once", async () => {
    process.env.PAYMENTS_GSMA_BULK_MIN_ITEMS = "10";
    await fund(sg, "PB", "100000.00");
    sim.setFaults({ errorRate: 0.2, timeoutRate: 0.1, timeoutDelayMs: 1300, itemErrorRate: 0.2 });
    const n = 300;
    const batchesBefore = sim.batches.size;
    const { id } = dataOf(await sg.request(CREATE, { i: { clientCorrelationId: "pb", programCode: "PB", currency: "KES", payments: payments(n, "mpesa", "3.00", (i) => `2547510${String(i).padStart(5, "0")}`) } }, FINANCE)).createDisbursementBatch;
    const batch = await waitForBatch(sg, id, [...FINAL, BatchStatus.RECONCILING], 50_000);
    expect([BatchStatus.PARTIALLY_COMPLETED, BatchStatus.FAILED]).toContain(batch.status); // FAILED only if every POST of every chunk got a 503 three times
    const rows = await sg.orm.em.fork().find(Payment, { batchId: id });
    // One provider batch per chunk, whatever was resent (fewer only for a chunk whose three POSTs all got a 503).
    const chunks = Math.ceil(n / chunkSize());
    if (rows.some((p) => /did not accept the batch/.test(p.statusReason ?? ""))) expect(sim.batches.size - batchesBefore).toBeLessThan(chunks);
    else expect(sim.batches.size - batchesBefore).toBe(chunks);
    for (const p of rows) {
      expect([PaymentStatus.COMPLETED, PaymentStatus.FAILED]).toContain(p.status);
      if (p.status === PaymentStatus.FAILED) expect(p.statusReason).toMatch(/rejected it in batch|did not accept the batch/);
      expect(sim.settlements.get(p.id) ?? 0).toBe(p.status === PaymentStatus.COMPLETED ? 1 : 0);
    }
    const completed = rows.filter((p) => p.status === PaymentStatus.COMPLETED).length;
    expect((await balances(sg))["FUNDING:PB"]).toEqual({ balance: `${100000 - completed * 3}.00`, held: "0.00" });
    await expectBalancedLedger(sg);

    sim.setFaults({});
    dataOf(await sg.request(`mutation ($id: ID!) { retryFailedPayments(batchId: $id) { status } }`, { id }, FINANCE));
    expect((await waitForBatch(sg, id, FINAL, 50_000)).status).toBe(BatchStatus.COMPLETED);
    const after = await sg.orm.em.fork().find(Payment, { batchId: id });
    expect(after.every((p) => p.status === PaymentStatus.COMPLETED && sim.settlements.get(p.id) === 1)).toBe(true);
    expect((await balances(sg))["FUNDING:PB"]).toEqual({ balance: `${100000 - n * 3}.00`, held: "0.00" });
    await expectBalancedLedger(sg);
  });

  it("UNKNOWN outcomes: RECONCILING until a status query or an operator settles them", async () => {
    await fund(sg, "P6", "1000.00");
    sim.setFaults({ timeoutRate: 1, timeoutDelayMs: 1300, statusErrorRate: 1 });
    const { id } = dataOf(await sg.request(CREATE, { i: { clientCorrelationId: "p6", programCode: "P6", currency: "KES", payments: payments(3, "mpesa", "20.00", (i) => `25476000000${i}`) } }, FINANCE)).createDisbursementBatch;
    const batch = await waitForBatch(sg, id, [...FINAL, BatchStatus.RECONCILING]);
    expect(batch.status).toBe(BatchStatus.RECONCILING);
    const rows = await sg.orm.em.fork().find(Payment, { batchId: id }, { orderBy: { seq: "asc" } });
    expect(rows.map((p) => p.status)).toEqual([PaymentStatus.UNKNOWN, PaymentStatus.UNKNOWN, PaymentStatus.UNKNOWN]);
    expect((await balances(sg))["PAYABLE:P6"]!.balance).toBe("60.00");
    await expectBalancedLedger(sg);

    // An operator settles one after checking with the provider.
    const RESOLVE = `mutation ($p: ID!, $o: PaymentStatus!) { resolveUnknownPayment(paymentId: $p, outcome: $o, note: "confirmed by phone") { status } }`;
    expect(dataOf(await sg.request(RESOLVE, { p: rows[0]!.id, o: "COMPLETED" }, FINANCE)).resolveUnknownPayment.status).toBe("COMPLETED");
    expect(codesOf(await sg.request(RESOLVE, { p: rows[0]!.id, o: "FAILED" }, FINANCE))).toEqual(["CONFLICT"]);
    expect(codesOf(await sg.request(RESOLVE, { p: rows[1]!.id, o: "PENDING" }, FINANCE))).toEqual(["BAD_USER_INPUT"]);
    // The provider answers again: the status query settles the rest.
    sim.setFaults({});
    dataOf(await sg.request(`mutation ($id: ID!) { reconcileDisbursementBatch(id: $id) { id } }`, { id }, FINANCE));
    expect((await waitForBatch(sg, id, FINAL)).status).toBe(BatchStatus.COMPLETED);
    expect(rows.every((p) => sim.settlements.get(p.id) === 1)).toBe(true);
    const b = await balances(sg);
    expect(b["PAYABLE:P6"]!.balance).toBe("0.00");
    expect(b["FUNDING:P6"]).toEqual({ balance: "940.00", held: "0.00" });
    await expectBalancedLedger(sg);
  });

  it("calls the submitter back at 20/40/60/80/100 %, each phase once and in order", async () => {
    const http = await import("node:http");
    const calls: any[] = [];
    const receiver = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        calls.push(JSON.parse(body));
        res.writeHead(calls.length === 1 ? 503 : 204).end(); // the first delivery fails once: retried
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    try {
      await fund(sg, "P7", "1000.00");
      const callbackUrl = `http://127.0.0.1:${(receiver.address() as any).port}/progress`;
      const { id } = dataOf(await sg.request(CREATE, { i: { clientCorrelationId: "p7", programCode: "P7", currency: "KES", callbackUrl, payments: payments(100, "mpesa", "1.00", (i) => `2547700${String(i).padStart(5, "0")}`) } }, FINANCE)).createDisbursementBatch;
      await waitForBatch(sg, id, FINAL);
      const delivered = calls.slice(1); // the first answer was a 503
      expect(delivered.map((c) => c.phase)).toEqual([20, 40, 60, 80, 100]);
      expect(delivered.every((c) => c.clientCorrelationId === "p7" && c.batchId === id)).toBe(true);
      expect(delivered[4]).toMatchObject({ progress: 100, status: "COMPLETED" });
      expect(codesOf(await sg.request(CREATE, { i: { clientCorrelationId: "p7b", programCode: "P7", currency: "KES", callbackUrl: "ftp://x", payments: payments(1, "mpesa") } }, FINANCE))).toEqual(["BAD_USER_INPUT"]);
    } finally {
      receiver.close();
    }
  });

  it("pages a batch's payments by state without N+1", async () => {
    const batches = dataOf(await sg.request(`{ disbursementBatches(status: COMPLETED, first: 50) { nodes { id clientCorrelationId } } }`, {}, FINANCE)).disbursementBatches.nodes;
    const p1 = batches.find((b: any) => b.clientCorrelationId === "p1");
    // Let the earlier tests' background jobs settle, so only this request's SQL is counted.
    for (let i = 0; i < 100 && (await sg.orm.em.fork().count(JobRecord, { status: { $in: ["PENDING", "RUNNING"] } })) > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    sg.sql.length = 0;
    const page = dataOf(await sg.request(`query ($id: ID!) { disbursementBatch(id: $id) { payments(status: COMPLETED, first: 20) { totalCount pageInfo { hasNextPage endCursor } nodes { instructionId status amount } } } }`, { id: p1.id }, FINANCE));
    expect(page.disbursementBatch.payments.totalCount).toBe(63);
    expect(page.disbursementBatch.payments.nodes).toHaveLength(20);
    // batch by id, page, count (job-engine bookkeeping of earlier batches may run meanwhile: not counted)
    expect(sg.sql.filter((q) => /^select/i.test(q.trim()) && !/["`]job(_chunk)?["`]/.test(q)).length).toBeLessThanOrEqual(3);
  });
});
