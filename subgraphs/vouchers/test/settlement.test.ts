import { randomUUID } from "node:crypto";
import { AuditEntry, dataOf, startTestSubgraph, userError, type GraphClient, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";
import { Redemption, ReimbursementStatus } from "../src/entities/redemption.entity";
import { SettlementStatus, VoucherSettlement } from "../src/entities/settlement.entity";
import { Voucher } from "../src/entities/voucher.entity";
import { submitSettlement, trackSettlement } from "../src/services/settlement.service";

const finance = { role: "finance_officer" as const, sub: "officer-s" };
const PROGRAM = randomUUID();
/** A stand-in of the graph answering as the payments block would. */
const graphOf = (request: (query: string, variables?: Record<string, unknown>) => Promise<unknown>) => ({ request }) as unknown as Pick<GraphClient, "request">;

describe("settlement against a stand-in of the payments block", () => {
  let sg: TestSubgraph;
  let n = 0;
  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
    const { id } = dataOf(await sg.request(`mutation { registerMerchant(input: { code: "SHOP-S", name: "S", financialAddress: "mobile:254700000001@mpesa" }) { id } }`, {}, finance)).registerMerchant;
    dataOf(await sg.request(`mutation ($id: ID!) { setMerchantStatus(id: $id, status: APPROVED) { status } }`, { id }, finance));
  });
  afterAll(() => sg.stop());

  async function redeemed(count: number) {
    for (let i = 0; i < count; i++) {
      const { issueVoucher } = dataOf(
        await sg.request(`mutation ($i: IssueVoucherInput!) { issueVoucher(input: $i) { secret voucher { serialNumber } } }`, { i: { instructionId: `s-${n++}`, programId: PROGRAM, registrantId: randomUUID(), value: "10", currency: "KES", presenceRequired: false } }, finance),
      );
      dataOf(await sg.request(`mutation ($s: [String!]!) { activateVouchers(serialNumbers: $s) { ok } }`, { s: [issueVoucher.voucher.serialNumber] }, finance));
      dataOf(await sg.request(`mutation ($s: String!) { redeemVoucher(input: { secret: $s }) { id } }`, { s: issueVoucher.secret }, { role: "merchant", partnerId: "SHOP-S" }));
    }
  }

  /** Creates a settlement, with its job left to fail fast (no graph here), and returns it. */
  async function settle() {
    const [s] = dataOf(await sg.request(`mutation ($p: ID!) { settleVoucherRedemptions(programId: $p) { id redemptionCount totalAmount } }`, { p: PROGRAM }, finance)).settleVoucherRedemptions;
    return s as { id: string; redemptionCount: number; totalAmount: string };
  }

  it("releases the redemptions when the payments block refuses the batch (e.g. the service token lacks payment:write)", async () => {
    await redeemed(2);
    const s = await settle();
    expect(s).toMatchObject({ redemptionCount: 2, totalAmount: "20.00" });
    const refusing = graphOf(async () => Promise.reject(userError("FORBIDDEN", "Not allowed")));
    const em = sg.orm.em.fork();
    // The job may already have tried (no graph configured: it throws and retries); the refusal is final.
    await em.transactional((tx) => submitSettlement(tx, refusing, s.id));
    const after = await sg.orm.em.fork().findOneOrFail(VoucherSettlement, s.id);
    expect(after.status).toBe(SettlementStatus.FAILED);
    expect(after.statusReason).toMatch(/FORBIDDEN/);
    expect(await sg.orm.em.fork().count(Redemption, { programId: PROGRAM, reimbursementStatus: ReimbursementStatus.PENDING, settlementId: null })).toBe(2);
    expect(await sg.orm.em.fork().count(AuditEntry, { action: "voucher.settlement.refused", entityId: s.id })).toBe(1);
  });

  it("keeps a settlement SUBMITTED while the batch runs, retries on an unavailable graph, and settles the outcome in bounded queries", async () => {
    await redeemed(3); // 2 released above + 3 new = 5
    const s = await settle();
    expect(s.redemptionCount).toBe(5);
    const unavailable = graphOf(async () => Promise.reject(userError("SUBGRAPH_UNAVAILABLE", "down")));
    await expect(sg.orm.em.fork().transactional((tx) => submitSettlement(tx, unavailable, s.id))).rejects.toThrow("down");
    expect((await sg.orm.em.fork().findOneOrFail(VoucherSettlement, s.id)).status).toBe(SettlementStatus.CREATED);

    const batchId = randomUUID();
    const submitted: unknown[] = [];
    const accepting = graphOf(async (_q: string, v?: Record<string, unknown>) => (submitted.push(v), { createDisbursementBatch: { id: batchId, status: "RECEIVED" } }));
    await sg.orm.em.fork().transactional((tx) => submitSettlement(tx, accepting, s.id));
    await sg.orm.em.fork().transactional((tx) => submitSettlement(tx, accepting, s.id)); // already SUBMITTED: no second call
    expect(submitted).toHaveLength(1);
    expect((submitted[0] as { i: { clientCorrelationId: string; payments: unknown[] } }).i).toMatchObject({ clientCorrelationId: `voucher-settlement:${s.id}`, programCode: PROGRAM, currency: "KES" });

    const running = graphOf(async () => ({ disbursementBatch: { status: "PROCESSING", statusReason: null, payments: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } } }));
    await expect(sg.orm.em.fork().transactional((tx) => trackSettlement(tx, running, s.id))).rejects.toThrow(/PROCESSING/);

    const ids = (await sg.orm.em.fork().find(Redemption, { settlementId: s.id }, { orderBy: { id: "asc" } })).map((r) => r.id);
    const done = graphOf(async () => ({
        disbursementBatch: {
          status: "PARTIALLY_COMPLETED",
          statusReason: null,
          payments: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: ids.map((id, i) => ({ instructionId: id, status: i < 2 ? "FAILED" : "COMPLETED", statusReason: i < 2 ? "wallet closed" : null })) },
        },
      }));
    sg.sql.length = 0;
    await sg.orm.em.fork().transactional((tx) => trackSettlement(tx, done, s.id));
    // Writes of the outcome (the settlement job retrying in the background only reads, then rolls back):
    // one UPDATE per kind and failure reason, one multi-row INSERT each for history and audit lines —
    // the same number for 5 redemptions as for 5,000.
    const writes = sg.sql.filter((q) => /^\s*(update|insert)/i.test(q) && !/"?job(_chunk)?"?\s/i.test(q.split(/set|values|\(/i)[0]!));
    if (writes.length > 6) console.log(writes.map((w) => w.slice(0, 90)).join("\n"));
    expect(writes.length).toBeLessThanOrEqual(6);
    const settled = await sg.orm.em.fork().findOneOrFail(VoucherSettlement, s.id);
    expect(settled).toMatchObject({ status: SettlementStatus.PARTIALLY_PAID, paidCount: 3, failedCount: 2 });
    const failed = await sg.orm.em.fork().find(Redemption, { id: { $in: ids.slice(0, 2) } });
    expect(failed.every((r) => r.reimbursementStatus === ReimbursementStatus.FAILED && r.payoutFailureReason === "wallet closed" && r.activeVoucherId === null)).toBe(true);
    const vouchers = await sg.orm.em.fork().find(Voucher, { id: { $in: failed.map((r) => r.voucherId) } });
    expect(vouchers.map((v) => v.status)).toEqual(["ACTIVE", "ACTIVE"]);
    // Tracking again changes nothing.
    await sg.orm.em.fork().transactional((tx) => trackSettlement(tx, done, s.id));
    expect(await sg.orm.em.fork().count(AuditEntry, { action: "voucher.payout_failed" })).toBe(2);
  });
});
