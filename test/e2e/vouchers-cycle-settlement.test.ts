/**
 * Vouchers with the real neighbouring blocks, through the gateway only:
 * - issuance from an APPROVED eligibility cycle (entitlements read page by page through the graph),
 *   idempotent, refused before approval;
 * - reimbursement of merchants through the payments block and its GSMA mobile-money simulator, with
 *   a failed payout putting the voucher back to ACTIVE, the reason recorded and audited.
 */
import { AuditEntry, codesOf, dataOf, signDevToken } from "@g2p/kit";
import { resetEligibilityConfig, resetRegistrySource } from "@g2p/eligibility";
import { resetVouchersConfig } from "@g2p/vouchers";
import { compactDecrypt, exportJWK, generateKeyPair, jwtVerify, createLocalJWKSet, type KeyLike } from "jose";
import { startMobileMoneySimulator, type MobileMoneySimulator } from "../simulators/mobile-money";
import { startStack, type Stack } from "../src";

const PM = { role: "program_manager" as const, sub: "pm-vouchers" };
const APPROVER = { role: "approver" as const, sub: "approver-vouchers" };
const FINANCE = { role: "finance_officer" as const, sub: "finance-vouchers" };
const GOOD = { role: "merchant" as const, sub: "till-good", partnerId: "SHOP-PAID" };
const BAD = { role: "merchant" as const, sub: "till-bad", partnerId: "SHOP-REJECTED" };

const isoDay = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const ISSUE = `mutation ($c: ID!, $k: String!) { issueVouchersForCycle(cycleId: $c, deliveryKey: $k, presenceRequired: false) { id batchId cycleId instructionCount status chunksDone chunksTotal error } }`;
const SETTLE = `mutation ($p: ID!) { settleVoucherRedemptions(programId: $p) { id status redemptionCount totalAmount currency merchant { code } } }`;
const SETTLEMENT = `query ($id: ID!) { voucherSettlement(id: $id) { id status statusReason paidCount failedCount paymentsBatchId jobStatus redemptions { id reimbursementStatus payoutFailureReason } } }`;

describe("vouchers with eligibility and payments over the graph", () => {
  let stack: Stack;
  let sim: MobileMoneySimulator;
  let privateKey: KeyLike;
  let deliveryKey: string;
  let programId: string;
  let cycleId: string;
  const registrants: string[] = [];
  const saved = { GRAPH_URL: process.env.GRAPH_URL, VOUCHER_CYCLE_PAGE_SIZE: process.env.VOUCHER_CYCLE_PAGE_SIZE };

  beforeAll(async () => {
    // Pages of 2 entitlements: 5 entitlements are read in 3 pages (3 chunks).
    process.env.VOUCHER_CYCLE_PAGE_SIZE = "2";
    resetVouchersConfig();
    sim = await startMobileMoneySimulator({ rejectMsisdns: ["254700000666"] });
    // The vouchers block submits disbursement batches: its service identity needs payment:write
    // (in production: a SERVICE_TOKEN from the identity provider with these roles).
    const serviceToken = await signDevToken({ sub: "service:e2e", roles: ["service", "finance_officer"] }, { expiresIn: "2h" });
    stack = await startStack({ env: { SERVICE_TOKEN: serviceToken } });
    process.env.GRAPH_URL = stack.gatewayUrl;
    resetEligibilityConfig();
    resetRegistrySource();
    const pair = await generateKeyPair("ECDH-ES+A256KW", { crv: "P-256" });
    privateKey = pair.privateKey;
    deliveryKey = JSON.stringify(await exportJWK(pair.publicKey));

    for (let i = 0; i < 5; i++) {
      registrants.push(dataOf(await stack.request(`mutation { createRegistrant(input: { kind: INDIVIDUAL, givenName: "Beneficiary ${i}" }) { id } }`, {}, { role: "registrar" })).createRegistrant.id);
    }
    programId = dataOf(
      await stack.request(
        `mutation ($i: CreateProgramInput!) { createProgram(input: $i) { id } }`,
        {
          i: {
            name: "Food vouchers",
            target: "INDIVIDUAL",
            currency: "KES",
            benefitKind: "VOUCHER",
            criteria: [{ name: "individual", expression: 'registrant.kind == "INDIVIDUAL"' }],
            entitlementFormula: { baseAmount: "40.00", validityDays: 31 },
          },
        },
        PM,
      ),
    ).createProgram.id;
    cycleId = dataOf(
      await stack.request(`mutation ($i: CreateCycleInput!) { createCycle(input: $i) { id } }`, { i: { programId, name: "This month", startDate: isoDay(0), endDate: isoDay(30) } }, PM),
    ).createCycle.id;
    const run = async (mutation: string) => {
      const { id } = dataOf(await stack.request(`mutation ($c: ID!) { ${mutation}(cycleId: $c) { id } }`, { c: cycleId }, PM))[mutation];
      const { jobId } = dataOf(await stack.request(`query ($id: ID!) { programRun(id: $id) { jobId } }`, { id }, PM)).programRun;
      expect(await stack.subgraphs.eligibility!.jobs.waitFor(jobId, 30_000)).toMatchObject({ status: "COMPLETED" });
    };
    await run("checkCycleEligibility");
    await run("generateEntitlements");

    // Payments: the provider directory points at the simulator, and the program's account is funded.
    dataOf(await stack.request(`mutation ($i: PaymentProviderInput!) { upsertPaymentProvider(input: $i) { code } }`, { i: { code: "mpesa", name: "M-Pesa", kind: "WALLET", connector: "GSMA", endpointUrl: sim.url } }, FINANCE));
    dataOf(await stack.request(`mutation ($p: String!) { fundProgram(programCode: $p, currency: "KES", amount: "10000.00", reference: "voucher-float") { code } }`, { p: programId }, FINANCE));
    for (const [code, msisdn] of [["SHOP-PAID", "254700000099"], ["SHOP-REJECTED", "254700000666"]]) {
      const { id } = dataOf(await stack.request(`mutation ($i: RegisterMerchantInput!) { registerMerchant(input: $i) { id } }`, { i: { code, name: code, financialAddress: `mobile:${msisdn}@mpesa` } }, FINANCE)).registerMerchant;
      dataOf(await stack.request(`mutation ($id: ID!) { setMerchantStatus(id: $id, status: APPROVED) { status } }`, { id }, FINANCE));
    }
  }, 120_000);

  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    resetEligibilityConfig();
    resetRegistrySource();
    resetVouchersConfig();
    await stack?.stop();
    await sim?.stop();
  });

  async function waitIssued() {
    const q = `query { voucherBatch(batchId: "cycle:${cycleId}") { status chunksDone chunksTotal instructionCount error } }`;
    for (let i = 0; i < 300; i++) {
      const s = dataOf(await stack.request(q, {}, FINANCE)).voucherBatch;
      if (s.status === "COMPLETED" || s.status === "FAILED") return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("cycle issuance did not finish");
  }

  let opened: { entitlementId: string; registrantId: string; serialNumber: string; secret: string; qr: string }[] = [];

  it("refuses a cycle that is not approved, then issues one voucher per entitlement, page by page, once", async () => {
    const early = await stack.request(ISSUE, { c: cycleId, k: deliveryKey }, FINANCE);
    expect(codesOf(early)).toEqual(["CONFLICT"]);
    expect(early.errors![0]!.extensions!.state).toBe("DRAFT");

    dataOf(await stack.request(`mutation ($c: ID!) { submitCycle(cycleId: $c) { state } }`, { c: cycleId }, PM));
    expect(dataOf(await stack.request(`mutation ($c: ID!) { approveCycle(cycleId: $c) { state } }`, { c: cycleId }, APPROVER)).approveCycle.state).toBe("APPROVED");

    const started = dataOf(await stack.request(ISSUE, { c: cycleId, k: deliveryKey }, FINANCE)).issueVouchersForCycle;
    expect(started).toMatchObject({ batchId: `cycle:${cycleId}`, cycleId });
    expect(await waitIssued()).toEqual({ status: "COMPLETED", chunksDone: 3, chunksTotal: 3, instructionCount: 5, error: null });

    const deliveries = dataOf(await stack.request(`query ($b: String!) { voucherDeliveries(batchId: $b) { chunk count jwe } }`, { b: `cycle:${cycleId}` }, FINANCE)).voucherDeliveries;
    expect(deliveries.map((d: { count: number }) => d.count)).toEqual([2, 2, 1]);
    opened = (await Promise.all(deliveries.map(async (d: { jwe: string }) => JSON.parse(new TextDecoder().decode((await compactDecrypt(d.jwe, privateKey)).plaintext))))).flat();
    expect(opened.map((o) => o.registrantId).sort()).toEqual([...registrants].sort());
    expect(new Set(opened.map((o) => o.entitlementId)).size).toBe(5);

    // The QR (signed with node:crypto) verifies with jose against the published key set.
    const jwks = createLocalJWKSet(JSON.parse(dataOf(await stack.request(`{ voucherSigningKeys }`)).voucherSigningKeys));
    const { payload } = await jwtVerify(opened[0]!.qr, jwks, { issuer: "g2p-graph/vouchers", typ: "g2p-voucher+jwt" });
    expect(payload).toMatchObject({ sn: opened[0]!.serialNumber, vn: opened[0]!.secret, v: "40.00", c: "KES" });

    const voucher = dataOf(await stack.request(`query ($s: String!) { voucherBySerial(serialNumber: $s) { programId cycleId registrantId value currency status expiresAt instructionId } }`, { s: opened[0]!.serialNumber }, FINANCE)).voucherBySerial;
    expect(voucher).toMatchObject({ programId, cycleId, registrantId: opened[0]!.registrantId, value: "40.00", currency: "KES", status: "INACTIVE", instructionId: `entitlement:${opened[0]!.entitlementId}` });
    expect(voucher.expiresAt).toBeTruthy();

    // Asking again returns the same batch and issues nothing more; another delivery key is refused.
    expect(dataOf(await stack.request(ISSUE, { c: cycleId, k: deliveryKey }, FINANCE)).issueVouchersForCycle.id).toBe(started.id);
    const other = JSON.stringify(await exportJWK((await generateKeyPair("ECDH-ES+A256KW", { crv: "P-256" })).publicKey));
    expect(codesOf(await stack.request(ISSUE, { c: cycleId, k: other }, FINANCE))).toEqual(["IDEMPOTENCY_MISMATCH"]);
    const report = dataOf(await stack.request(`query ($p: ID!, $c: ID) { voucherReport(programId: $p, cycleId: $c) { byStatus { status count totalValue } } }`, { p: programId, c: cycleId }, { role: "auditor" })).voucherReport;
    expect(report.byStatus).toEqual([{ status: "INACTIVE", count: 5, totalValue: "200.00" }]);
  });

  // Tracking polls with the job engine's doubling backoff (250 ms, 500 ms, ... 64 s): on a loaded
  // machine the payout may be seen a minute after it finished.
  async function waitSettlement(id: string) {
    for (let i = 0; i < 1800; i++) {
      const s = dataOf(await stack.request(SETTLEMENT, { id }, FINANCE)).voucherSettlement;
      if (["COMPLETED", "PARTIALLY_PAID", "FAILED"].includes(s.status)) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`settlement ${id} did not finish`);
  }

  it("reimburses merchants through payments; a failed payout puts the voucher back, with the reason audited", async () => {
    const serials = opened.map((o) => o.serialNumber);
    dataOf(await stack.request(`mutation ($s: [String!]!) { activateVouchers(serialNumbers: $s) { ok } }`, { s: serials }, FINANCE));
    const redeem = (secret: string, caller: typeof GOOD) => stack.request(`mutation ($s: String!) { redeemVoucher(input: { secret: $s }) { id amount } }`, { s: secret }, caller);
    dataOf(await redeem(opened[0]!.secret, GOOD));
    dataOf(await redeem(opened[1]!.secret, GOOD));
    const rejected = dataOf(await redeem(opened[2]!.secret, BAD)).redeemVoucher;

    const settlements = dataOf(await stack.request(SETTLE, { p: programId }, FINANCE)).settleVoucherRedemptions;
    expect(settlements.map((s: { merchant: { code: string } }) => s.merchant.code).sort()).toEqual(["SHOP-PAID", "SHOP-REJECTED"]);
    const paid = settlements.find((s: { merchant: { code: string } }) => s.merchant.code === "SHOP-PAID");
    expect(paid).toMatchObject({ redemptionCount: 2, totalAmount: "80.00", currency: "KES" });
    // Nothing left to settle: asking again creates nothing.
    expect(dataOf(await stack.request(SETTLE, { p: programId }, FINANCE)).settleVoucherRedemptions).toEqual([]);

    const done = await waitSettlement(paid.id);
    expect(done).toMatchObject({ status: "COMPLETED", paidCount: 2, failedCount: 0 });
    expect(done.redemptions.every((r: { reimbursementStatus: string }) => r.reimbursementStatus === "PAID")).toBe(true);
    const batch = dataOf(await stack.request(`query ($id: ID!) { disbursementBatch(id: $id) { clientCorrelationId status summary { completed completedAmount } } }`, { id: done.paymentsBatchId }, FINANCE)).disbursementBatch;
    expect(batch).toEqual({ clientCorrelationId: `voucher-settlement:${paid.id}`, status: "COMPLETED", summary: { completed: 2, completedAmount: "80.00" } });

    const failedSettlement = await waitSettlement(settlements.find((s: { merchant: { code: string } }) => s.merchant.code === "SHOP-REJECTED").id);
    expect(failedSettlement).toMatchObject({ status: "FAILED", paidCount: 0, failedCount: 1 });
    const failedRedemption = failedSettlement.redemptions[0];
    expect(failedRedemption).toMatchObject({ id: rejected.id, reimbursementStatus: "FAILED" });
    expect(failedRedemption.payoutFailureReason).toBeTruthy();

    // The voucher is back to ACTIVE, its history and the audit log say why, and it can be redeemed again.
    const back = dataOf(await stack.request(`query ($s: String!) { voucherBySerial(serialNumber: $s) { id status redemption { id } redemptions { id reimbursementStatus } history { action fromStatus toStatus reason } } }`, { s: opened[2]!.serialNumber }, FINANCE)).voucherBySerial;
    expect(back.status).toBe("ACTIVE");
    expect(back.redemption).toBeNull();
    expect(back.history.map((h: { action: string }) => h.action)).toEqual(["issue", "activate", "redeem", "payout_failed"]);
    expect(back.history[3]).toMatchObject({ fromStatus: "UTILIZED", toStatus: "ACTIVE", reason: failedRedemption.payoutFailureReason });
    const audits = await stack.subgraphs.vouchers!.orm.em.fork().find(AuditEntry, { action: "voucher.payout_failed", entityId: rejected.id });
    expect(audits).toHaveLength(1);
    expect(audits[0]!.changes).toMatchObject({ voucherId: back.id, amount: "40.00", reason: failedRedemption.payoutFailureReason });

    const again = dataOf(await redeem(opened[2]!.secret, GOOD)).redeemVoucher;
    const second = dataOf(await stack.request(SETTLE, { p: programId }, FINANCE)).settleVoucherRedemptions;
    expect(second).toHaveLength(1);
    expect(await waitSettlement(second[0].id)).toMatchObject({ status: "COMPLETED", paidCount: 1, redemptions: [{ id: again.id, reimbursementStatus: "PAID" }] });

    const report = dataOf(await stack.request(`query ($p: ID!) { voucherReport(programId: $p) { byMerchant { count totalValue } reimbursements { reimbursementStatus count totalValue } } }`, { p: programId }, { role: "auditor" })).voucherReport;
    expect(report.byMerchant.reduce((a: number, r: { count: number }) => a + r.count, 0)).toBe(3);
    expect(report.reimbursements.map((r: { reimbursementStatus: string; count: number }) => `${r.reimbursementStatus}:${r.count}`).sort()).toEqual(["FAILED:1", "PAID:3"]);
  }, 600_000);
});
