import { dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";
import { fspiopIds } from "../src/connectors/mojaloop";
import { BatchStatus } from "../src/entities/disbursement-batch.entity";
import { LedgerAccount } from "../src/entities/ledger.entity";
import { Payment, PaymentStatus } from "../src/entities/payment.entity";
import { trialBalance } from "../src/services/ledger.service";
import { FINAL, FINANCE, fund, provider, waitForBatch, usePaymentsEnv } from "./helpers";
import { invalidMessages, startMojaloopSimulator, type MojaloopSim } from "./mojaloop-helpers";

// Generous: the simulator and the subgraph share one test process on a busy 2-core machine.
process.env.PAYMENTS_CONNECTOR_TIMEOUT_MS = "5000";
process.env.PAYMENTS_FSPIOP_FSP_ID = "g2p-treasury";

const CREATE = `mutation ($i: CreateDisbursementBatchInput!) { createDisbursementBatch(input: $i) { id status } }`;

describe("a batch paid through a Mojaloop switch (provider with connector MOJALOOP)", () => {
  let sg: TestSubgraph;
  let sim: MojaloopSim;
  usePaymentsEnv({ PAYMENTS_CHUNK_SIZE: "10" });

  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
    // The switch calls the payments subgraph back on its FSPIOP route (what PAYMENTS_FSPIOP_CALLBACK_URL is registered as).
    const callbackUrl = `${new URL(sg.url).origin}/fspiop`;
    sim = await startMojaloopSimulator({ unknownParties: ["254733000013"] }, { participants: { "g2p-treasury": callbackUrl } });
    await provider(sg, "mojahub", sim.url, "MOJALOOP");
  });
  afterAll(async () => {
    await sg?.stop();
    await sim?.stop();
  });

  it("pays every payment once end to end, fails the unknown party with its reason, keeps the ledger balanced", async () => {
    await fund(sg, "ML1", "10000.00");
    const payments = Array.from({ length: 25 }, (_, i) => ({ instructionId: `ml-${i}`, financialAddress: `mobile:2547330000${String(i).padStart(2, "0")}@mojahub`, amount: "12.50" }));
    const { id } = dataOf(await sg.request(CREATE, { i: { clientCorrelationId: "ml-1", programCode: "ML1", currency: "KES", payments } }, FINANCE)).createDisbursementBatch;
    const batch = await waitForBatch(sg, id, FINAL, 60_000);
    expect(batch.status).toBe(BatchStatus.PARTIALLY_COMPLETED);
    const rows = await sg.orm.em.fork().find(Payment, { batchId: id }, { orderBy: { seq: "asc" } });
    const failed = rows.filter((p) => p.status !== PaymentStatus.COMPLETED);
    expect(failed.map((p) => [p.financialAddress, p.status, p.statusReason])).toEqual([["mobile:254733000013@mojahub", PaymentStatus.FAILED, "party lookup: FSPIOP 3204 Party not found"]]);
    const paid = rows.filter((p) => p.status === PaymentStatus.COMPLETED);
    expect(paid).toHaveLength(24);
    for (const p of paid) {
      const transferId = fspiopIds(p.id).transferId;
      expect(p.providerReference).toBe(transferId);
      expect(sim.settlements.get(transferId)).toBe(1);
      expect(sim.transfers.get(transferId)).toMatchObject({ state: "COMMITTED", amount: "12.5" });
    }
    expect(sim.settlements.size).toBe(24);
    const accounts = Object.fromEntries((await sg.orm.em.fork().find(LedgerAccount, {})).map((a) => [a.code, a.balance]));
    expect(accounts["SETTLEMENT:mojahub"]).toBe("300.00");
    expect(accounts["FUNDING:ML1"]).toBe("9700.00");
    const t = await trialBalance(sg.orm.em.fork());
    expect(t.balances).toBe(0n);
    // Every message between the subgraph and the switch, both ways, valid against the FSPIOP definition.
    expect(sim.messages.filter((m) => m.direction === "callback").length).toBeGreaterThanOrEqual(25 * 3 - 2);
    expect(sim.messages.every((m) => m.direction === "callback" || m.headers["fspiop-source"] === "g2p-treasury")).toBe(true);
    expect(invalidMessages(sim)).toEqual([]);
    expect(sim.invalid).toEqual([]);
    expect(sim.callbackFailures).toBe(0);
  });

  it("a transfer whose callback never comes is UNKNOWN, then settled by the status query (GET /transfers/{ID}) without paying twice", async () => {
    await fund(sg, "ML2", "1000.00");
    sim.setFaults({ noCallbackRate: 1, statusNoCallback: true });
    const payments = Array.from({ length: 3 }, (_, i) => ({ instructionId: `ml2-${i}`, financialAddress: `mobile:2547340000${i}@mojahub`, amount: "5.00" }));
    const { id } = dataOf(await sg.request(CREATE, { i: { clientCorrelationId: "ml-2", programCode: "ML2", currency: "KES", payments } }, FINANCE)).createDisbursementBatch;
    expect((await waitForBatch(sg, id, [BatchStatus.RECONCILING, ...FINAL], 60_000)).status).toBe(BatchStatus.RECONCILING);
    const unknown = await sg.orm.em.fork().find(Payment, { batchId: id });
    expect(unknown.map((p) => p.status)).toEqual([PaymentStatus.UNKNOWN, PaymentStatus.UNKNOWN, PaymentStatus.UNKNOWN]);
    expect(unknown[0]!.statusReason).toMatch(/no callback within 5000 ms/);
    sim.setFaults({});
    dataOf(await sg.request(`mutation ($id: ID!) { reconcileDisbursementBatch(id: $id) { status } }`, { id }, FINANCE));
    const batch = await waitForBatch(sg, id, FINAL, 60_000);
    expect(batch.status).toBe(BatchStatus.COMPLETED);
    const rows = await sg.orm.em.fork().find(Payment, { batchId: id });
    for (const p of rows) {
      expect(p.status).toBe(PaymentStatus.COMPLETED);
      expect(sim.settlements.get(fspiopIds(p.id).transferId)).toBe(1);
    }
    expect((await trialBalance(sg.orm.em.fork())).balances).toBe(0n);
    expect(invalidMessages(sim)).toEqual([]);
  });
});
