/**
 * The whole flow of the platform, through the gateway only, as partner systems and staff drive it:
 * enroll households from the ODK Central simulator -> verify heads against identity -> evaluate
 * eligibility -> approve a cycle -> pay through the mobile-money simulator (some wallets refused) ->
 * retry -> reconcile -> issue vouchers from a voucher program's approved cycle -> redeem one at a
 * merchant after an OTP -> reimburse the merchant through payments -> and check that every block
 * agrees on the figures.
 *
 * Only `stack.request` (the gateway) is used to act; the blocks' databases are never touched here.
 */
import { resetEligibilityConfig, resetRegistrySource } from "@g2p/eligibility";
import { codesOf, dataOf, type Caller } from "@g2p/kit";
import { compactDecrypt, exportJWK, generateKeyPair } from "jose";
import { startStack, type Stack } from "../src";
import { startMobileMoneySimulator, type MobileMoneySimulator } from "../simulators/mobile-money";
import { HOUSEHOLD_MAPPING, householdSubmission, startOdkCentralSimulator, type OdkCentralSimulator } from "../simulators/odk-central";
import { startSmsGateway, type SmsGateway } from "../simulators/sms-gateway";

const REGISTRAR: Caller = { role: "registrar", sub: "registrar-flow" };
const PM: Caller = { role: "program_manager", sub: "pm-flow" };
const APPROVER: Caller = { role: "approver", sub: "approver-flow" };
const FINANCE: Caller = { role: "finance_officer", sub: "finance-flow" };
const ADMIN: Caller = { role: "admin", sub: "admin-flow" };
const MERCHANT: Caller = { role: "merchant", sub: "till-flow", partnerId: "SHOP-FLOW" };

const HOUSEHOLDS = 12;
const FINAL = new Set(["COMPLETED", "PARTIALLY_COMPLETED", "FAILED", "CANCELLED"]);

/** Minor units of a decimal string, to add amounts without floats. */
const cents = (amount: string) => {
  const [whole, frac = ""] = amount.split(".");
  return BigInt(whole!) * 100n + BigInt((frac + "00").slice(0, 2));
};
const sum = (amounts: string[]) => amounts.reduce((acc, a) => acc + cents(a), 0n);

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("the whole flow through the gateway", () => {
  let stack: Stack;
  let odk: OdkCentralSimulator;
  let wallet: MobileMoneySimulator;
  let sms: SmsGateway;
  const saved = { sms: process.env.IDENTITY_SMS_GATEWAY_URL, graph: process.env.GRAPH_URL };
  const submissions = Array.from({ length: HOUSEHOLDS }, (_, i) => householdSubmission(5000 + i));
  const headOf = (s: (typeof submissions)[number]) => (s.members as Record<string, string>[])[0]!;

  beforeAll(async () => {
    [odk, wallet, sms] = await Promise.all([startOdkCentralSimulator(), startMobileMoneySimulator(), startSmsGateway()]);
    process.env.IDENTITY_SMS_GATEWAY_URL = sms.url;
    stack = await startStack();
    // Eligibility reads the registry through GRAPH_URL, known only once the gateway is up.
    process.env.GRAPH_URL = stack.gatewayUrl;
    resetEligibilityConfig();
    resetRegistrySource();
    odk.addForm(7, "household_survey", ["members"]);
    odk.addSubmissions(7, "household_survey", submissions);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await Promise.all([odk?.stop(), wallet?.stop(), sms?.stop()]);
    for (const [key, value] of [["IDENTITY_SMS_GATEWAY_URL", saved.sms], ["GRAPH_URL", saved.graph]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    resetEligibilityConfig();
    resetRegistrySource();
  });

  const gql = async (query: string, variables: Record<string, unknown>, caller: Caller) => dataOf(await stack.request(query, variables, caller));

  it("enrolls, verifies, decides, approves, pays, reconciles, issues and redeems, with totals that agree", async () => {
    // 1. Enrollment from ODK Central: households and their members, with national ids.
    await gql(`mutation { defineIdType(name: "NATIONAL_ID", pattern: "[0-9]{8}") { name } }`, {}, REGISTRAR);
    const importId = (
      await gql(
        `mutation ($i: OdkImportInput!) { importFromOdkCentral(input: $i) { id } }`,
        { i: { baseUrl: odk.url, projectId: 7, formId: "household_survey", email: "collector@example.org", password: "secret-password", mapping: HOUSEHOLD_MAPPING, pageSize: 5 } },
        REGISTRAR,
      )
    ).importFromOdkCentral.id;
    const imported = await until(
      "ODK import",
      async () => (await gql(`query ($id: ID!) { registryImport(id: $id) { rowsStaged failedRows progress { status error } } }`, { id: importId }, REGISTRAR)).registryImport,
      (v) => v.progress.status === "COMPLETED" || v.progress.status === "FAILED",
    );
    expect(imported).toMatchObject({ rowsStaged: HOUSEHOLDS, failedRows: 0, progress: { status: "COMPLETED", error: null } });
    const memberCount = submissions.reduce((n, s) => n + (s.members as unknown[]).length, 0);
    const counts = await gql(`{ groups: registrants(filter: { kind: GROUP }) { totalCount } people: registrants(filter: { kind: INDIVIDUAL }) { totalCount } }`, {}, REGISTRAR);
    expect(counts).toEqual({ groups: { totalCount: HOUSEHOLDS }, people: { totalCount: memberCount } });

    // Each household with its head, found by the head's national id.
    const households: { groupId: string; headId: string; phone: string; name: string; dob: string; size: number }[] = [];
    for (const s of submissions) {
      const head = headOf(s);
      const found = (
        await gql(
          `query ($v: String!) { registrants(filter: { identifierType: "NATIONAL_ID", identifierValue: $v }) { nodes { id memberships { role group { id } } } } }`,
          { v: head.national_id },
          REGISTRAR,
        )
      ).registrants.nodes;
      expect(found).toHaveLength(1);
      expect(found[0].memberships[0].role).toBe("HEAD");
      households.push({ groupId: found[0].memberships[0].group.id, headId: found[0].id, phone: head.phone!, name: `${head.given_name} ${head.family_name}`, dob: head.dob!, size: (s.members as unknown[]).length });
    }

    // 2. Identity: each head gets a national identity linked to the registrant; partners see it verified, never the UIN.
    const uins = new Map<string, string>();
    for (const h of households) {
      const { createIdentity } = await gql(
        `mutation ($r: ID, $d: IdentityDemographicsInput) { createIdentity(registrantId: $r, demographics: $d) { uin } }`,
        { r: h.headId, d: { names: [{ language: "eng", value: h.name }], dateOfBirth: h.dob, gender: "F", phone: h.phone } },
        REGISTRAR,
      );
      uins.set(h.headId, createIdentity.uin);
    }
    const verified = await gql(`query ($id: ID!) { registrant(id: $id) { idVerification { status token } } }`, { id: households[0]!.headId }, PM);
    expect(verified.registrant.idVerification).toEqual({ status: "VERIFIED", token: expect.stringMatching(/^\d{36}$/) });
    const hidden = await stack.request(`query ($id: ID!) { registrant(id: $id) { identity { uin } } }`, { id: households[0]!.headId }, PM);
    expect(codesOf(hidden)).toEqual(["FORBIDDEN"]);
    expect(hidden.data?.registrant?.identity ?? null).toBeNull();

    // 3. Eligibility: households of two or more people, 500 + 100 per member (cap 4) + 5 fee.
    const program = (
      await gql(
        `mutation ($i: CreateProgramInput!) { createProgram(input: $i) { id } }`,
        {
          i: {
            name: "Household cash transfer",
            target: "GROUP",
            currency: "KES",
            criteria: [{ name: "two or more members", expression: "household.size >= 2" }],
            entitlementFormula: { baseAmount: "500.00", perMemberAmount: "100.00", memberCap: 4, feeAmount: "5.00", validityDays: 30 },
          },
        },
        PM,
      )
    ).createProgram;
    const eligible = households.filter((h) => h.size >= 2);
    expect(eligible.length).toBeGreaterThan(0);
    expect(eligible.length).toBeLessThan(HOUSEHOLDS); // the seeded set has single-person households too
    const cycle = (await gql(`mutation ($i: CreateCycleInput!) { createCycle(input: $i) { id } }`, { i: { programId: program.id, name: "June", startDate: "2026-06-01", endDate: "2026-06-30" } }, PM)).createCycle;
    const runQuery = `query ($id: ID!) { programRun(id: $id) { status processed eligible notEligible errors created error } }`;
    const waitRun = (id: string) => until("program run", async () => (await gql(runQuery, { id }, PM)).programRun, (v) => v.status === "COMPLETED" || v.status === "FAILED");
    const checked = await waitRun((await gql(`mutation ($c: ID!) { checkCycleEligibility(cycleId: $c, chunks: 2) { id } }`, { c: cycle.id }, PM)).checkCycleEligibility.id);
    expect(checked).toMatchObject({ status: "COMPLETED", processed: HOUSEHOLDS, eligible: eligible.length, notEligible: HOUSEHOLDS - eligible.length, errors: 0, error: null });
    const generated = await waitRun((await gql(`mutation ($c: ID!) { generateEntitlements(cycleId: $c) { id } }`, { c: cycle.id }, PM)).generateEntitlements.id);
    expect(generated).toMatchObject({ status: "COMPLETED", created: eligible.length });
    const expected = eligible.reduce((acc, h) => acc + 50000n + 10000n * BigInt(Math.min(h.size, 4)), 0n);
    const cycleTotals = (await gql(`query ($c: ID!) { cycle(id: $c) { totals { entitlements totalAmount totalFee } } }`, { c: cycle.id }, PM)).cycle.totals;
    expect(cycleTotals.entitlements).toBe(eligible.length);
    expect(cents(cycleTotals.totalAmount)).toBe(expected);

    // 4. Approval: the creator cannot approve; an approver can. Payments refuse an unapproved cycle.
    await gql(`mutation ($c: ID!) { submitCycle(cycleId: $c) { state } }`, { c: cycle.id }, PM);
    expect(codesOf(await stack.request(`mutation ($c: ID!) { createDisbursementBatchFromCycle(cycleId: $c) { id } }`, { c: cycle.id }, FINANCE))).toEqual(["CONFLICT"]);
    expect(codesOf(await stack.request(`mutation ($c: ID!) { approveCycle(cycleId: $c) { state } }`, { c: cycle.id }, { role: "approver", sub: "pm-flow" }))).toEqual(["FORBIDDEN"]);
    expect((await gql(`mutation ($c: ID!) { approveCycle(cycleId: $c) { state } }`, { c: cycle.id }, APPROVER)).approveCycle.state).toBe("APPROVED");

    // 5. Payments: wallets mapped to households, the program funded, two wallets refused by the provider.
    await gql(`mutation ($u: String!) { upsertPaymentProvider(input: { code: "mpesa", name: "M-Pesa", kind: WALLET, connector: GSMA, endpointUrl: $u }) { code } }`, { u: wallet.url }, ADMIN);
    for (const h of eligible) {
      await gql(`mutation ($b: String!, $f: String!) { linkFinancialAddress(beneficiaryId: $b, financialAddress: $f) { beneficiaryId } }`, { b: h.groupId, f: `mobile:${h.phone}@mpesa` }, FINANCE);
    }
    const refused = eligible.slice(0, 2);
    wallet.setFaults({ rejectMsisdns: refused.map((h) => h.phone) });
    await gql(`mutation ($p: String!) { fundProgram(programCode: $p, currency: "KES", amount: "1000000.00", reference: "treasury-flow") { code } }`, { p: program.id }, FINANCE);
    const batch = (await gql(`mutation ($c: ID!) { createDisbursementBatchFromCycle(cycleId: $c) { id paymentCount totalAmount } }`, { c: cycle.id }, FINANCE)).createDisbursementBatchFromCycle;
    expect(batch.paymentCount).toBe(eligible.length);
    expect(cents(batch.totalAmount)).toBe(expected);
    // Asking again returns the same batch: an entitlement is never paid twice.
    expect((await gql(`mutation ($c: ID!) { createDisbursementBatchFromCycle(cycleId: $c) { id } }`, { c: cycle.id }, FINANCE)).createDisbursementBatchFromCycle.id).toBe(batch.id);

    const batchQuery = `query ($id: ID!) { disbursementBatch(id: $id) { status summary { completed failed ongoing total } payments(first: 100) { nodes { id status amount beneficiaryId statusReason } } } }`;
    const readBatch = async () => (await gql(batchQuery, { id: batch.id }, FINANCE)).disbursementBatch;
    const paid = await until("batch", readBatch, (b) => FINAL.has(b.status));
    expect(paid.status).toBe("PARTIALLY_COMPLETED");
    expect(paid.summary).toMatchObject({ completed: eligible.length - 2, failed: 2, ongoing: 0, total: eligible.length });
    const failedIds = paid.payments.nodes.filter((p: { status: string }) => p.status === "FAILED").map((p: { beneficiaryId: string }) => p.beneficiaryId);
    expect(failedIds.sort()).toEqual(refused.map((h) => h.groupId).sort());

    // The wallets get fixed at the provider; a retry pays them with the same idempotency keys.
    wallet.setFaults({});
    await gql(`mutation ($id: ID!) { retryFailedPayments(batchId: $id) { id } }`, { id: batch.id }, FINANCE);
    const retried = await until("retry", readBatch, (b) => FINAL.has(b.status) && b.summary.ongoing === 0 && b.summary.failed === 0);
    expect(retried.status).toBe("COMPLETED");
    expect(wallet.settlements.size).toBe(eligible.length);
    expect([...wallet.settlements.values()].every((n) => n === 1)).toBe(true);

    // 6. Reconciliation against the provider, and the ledger.
    await gql(`mutation ($id: ID!) { reconcileDisbursementBatch(id: $id) { id } }`, { id: batch.id }, FINANCE);
    const ledger = await gql(`{ trialBalance { balances } ledgerAccounts { code balance held } }`, {}, FINANCE);
    expect(ledger.trialBalance.balances).toBe("0.00");
    const settlement = ledger.ledgerAccounts.find((a: { code: string }) => a.code === "SETTLEMENT:mpesa");
    expect(cents(settlement.balance)).toBe(expected);
    const providerTotal = sum([...wallet.transactions.values()].filter((t) => t.transactionStatus === "completed").map((t) => t.amount));
    expect(providerTotal).toBe(expected);
    expect(sum(retried.payments.nodes.map((p: { amount: string }) => p.amount))).toBe(expected);
    // Payments show on the registry's Registrant, next to its enrollments.
    const seen = (await gql(`query ($id: ID!) { registrant(id: $id) { enrollments { state } payments { status amount } } }`, { id: eligible[0]!.groupId }, FINANCE)).registrant;
    expect(seen.enrollments).toEqual([{ state: "ENROLLED" }]);
    expect(seen.payments).toEqual([{ status: "COMPLETED", amount: expect.any(String) }]);

    // 7. Vouchers: a school-feeding voucher program for the same households' heads, issued from its
    // approved cycle; a merchant redeems one after the head proved presence with an OTP at the till,
    // and is reimbursed through payments.
    const voucherProgram = (
      await gql(
        `mutation ($i: CreateProgramInput!) { createProgram(input: $i) { id } }`,
        {
          i: {
            name: "School feeding voucher",
            target: "INDIVIDUAL",
            currency: "KES",
            benefitKind: "VOUCHER",
            criteria: [{ name: "adult", expression: 'registrant.kind == "INDIVIDUAL" && registrant.age >= 18' }],
            entitlementFormula: { baseAmount: "250.00", validityDays: 30 },
          },
        },
        PM,
      )
    ).createProgram;
    const today = new Date().toISOString().slice(0, 10);
    const monthEnd = new Date(Date.now() + 29 * 86_400_000).toISOString().slice(0, 10);
    const voucherCycle = (await gql(`mutation ($i: CreateCycleInput!) { createCycle(input: $i) { id } }`, { i: { programId: voucherProgram.id, name: "Term 1", startDate: today, endDate: monthEnd } }, PM)).createCycle;
    const vChecked = await waitRun((await gql(`mutation ($c: ID!) { checkCycleEligibility(cycleId: $c) { id } }`, { c: voucherCycle.id }, PM)).checkCycleEligibility.id);
    expect(vChecked).toMatchObject({ status: "COMPLETED", processed: memberCount, errors: 0 });
    const vGenerated = await waitRun((await gql(`mutation ($c: ID!) { generateEntitlements(cycleId: $c) { id } }`, { c: voucherCycle.id }, PM)).generateEntitlements.id);
    expect(vGenerated).toMatchObject({ status: "COMPLETED", created: vChecked.eligible });
    await gql(`mutation ($c: ID!) { submitCycle(cycleId: $c) { state } }`, { c: voucherCycle.id }, PM);
    await gql(`mutation ($c: ID!) { approveCycle(cycleId: $c) { state } }`, { c: voucherCycle.id }, APPROVER);

    const pair = await generateKeyPair("ECDH-ES+A256KW", { crv: "P-256" });
    await gql(
      `mutation ($c: ID!, $k: String!) { issueVouchersForCycle(cycleId: $c, deliveryKey: $k, presenceRequired: true) { id } }`,
      { c: voucherCycle.id, k: JSON.stringify(await exportJWK(pair.publicKey)) },
      FINANCE,
    );
    const issuedBatch = await until(
      "voucher issuance",
      async () => (await gql(`query ($b: String!) { voucherBatch(batchId: $b) { status instructionCount error } }`, { b: `cycle:${voucherCycle.id}` }, FINANCE)).voucherBatch,
      (v) => v.status === "COMPLETED" || v.status === "FAILED",
    );
    expect(issuedBatch).toEqual({ status: "COMPLETED", instructionCount: vChecked.eligible, error: null });
    const deliveries = (await gql(`query ($b: String!) { voucherDeliveries(batchId: $b) { jwe } }`, { b: `cycle:${voucherCycle.id}` }, FINANCE)).voucherDeliveries;
    const opened: { registrantId: string; serialNumber: string; secret: string }[] = (
      await Promise.all(deliveries.map(async (d: { jwe: string }) => JSON.parse(new TextDecoder().decode((await compactDecrypt(d.jwe, pair.privateKey)).plaintext))))
    ).flat();
    expect(opened).toHaveLength(vChecked.eligible);

    const policyId = (
      await gql(
        `mutation ($i: CreateAuthPolicyInput!) { createAuthPolicy(input: $i) { id } }`,
        { i: { name: "till policy", authTokenType: "PARTNER", allowedAuthTypes: [{ authType: "OTP" }], allowedKycAttributes: [] } },
        ADMIN,
      )
    ).createAuthPolicy.id;
    const credentials = (await gql(`mutation ($i: CreateAuthPartnerInput!) { createAuthPartner(input: $i) { apiKey licenseKey } }`, { i: { id: "SHOP-FLOW", name: "Soko Shop", policyId } }, ADMIN)).createAuthPartner;
    const merchantId = (await gql(`mutation { registerMerchant(input: { code: "SHOP-FLOW", name: "Soko Shop", financialAddress: "mobile:+254700000123@mpesa" }) { id } }`, {}, ADMIN)).registerMerchant.id;
    await gql(`mutation ($id: ID!) { setMerchantStatus(id: $id, status: APPROVED) { status } }`, { id: merchantId }, ADMIN);
    await gql(`mutation ($p: String!) { fundProgram(programCode: $p, currency: "KES", amount: "100000.00", reference: "treasury-vouchers") { code } }`, { p: voucherProgram.id }, FINANCE);

    // The head of the last eligible household holds a voucher (heads are adults).
    const holder = eligible[eligible.length - 1]!;
    const voucher = opened.find((o) => o.registrantId === holder.headId)!;
    expect(voucher).toBeDefined();
    await gql(`mutation ($s: [String!]!) { activateVouchers(serialNumbers: $s) { ok } }`, { s: [voucher.serialNumber] }, FINANCE);
    const uin = uins.get(holder.headId)!;
    const before = sms.countTo(holder.phone);
    await gql(
      `mutation ($i: OtpRequestInput!) { requestOtp(input: $i) { maskedMobile } }`,
      { i: { individualId: uin, transactionId: "flowredeem1", requestTime: new Date().toISOString(), channels: ["PHONE"], credentials } },
      MERCHANT,
    );
    const otp = await sms.otpFor(holder.phone, before);
    const redeem = (presenceTransactionId: string) =>
      stack.request(`mutation ($i: RedeemVoucherInput!) { redeemVoucher(input: $i) { amount merchant { code } } }`, { i: { secret: voucher.secret, presenceTransactionId } }, MERCHANT);
    expect(codesOf(await redeem("flowredeem1"))).toEqual(["FORBIDDEN"]); // OTP sent, not yet proven
    await gql(
      `mutation ($i: IdAuthInput!) { authenticate(input: $i) { authStatus } }`,
      { i: { individualId: uin, transactionId: "flowredeem1", requestTime: new Date().toISOString(), consentObtained: true, credentials, otp } },
      MERCHANT,
    );
    expect(dataOf(await redeem("flowredeem1")).redeemVoucher).toEqual({ amount: "250.00", merchant: { code: "SHOP-FLOW" } });
    expect(codesOf(await redeem("flowredeem1"))).toHaveLength(1); // a voucher is redeemed once

    // 8. The merchant is reimbursed through payments, and every block agrees on the money.
    const [merchantSettlement] = (await gql(`mutation ($p: ID!) { settleVoucherRedemptions(programId: $p) { id redemptionCount totalAmount } }`, { p: voucherProgram.id }, FINANCE)).settleVoucherRedemptions;
    expect(merchantSettlement).toMatchObject({ redemptionCount: 1, totalAmount: "250.00" });
    const settled = await until(
      "merchant settlement",
      async () => (await gql(`query ($id: ID!) { voucherSettlement(id: $id) { status paidCount paymentsBatchId } }`, { id: merchantSettlement.id }, FINANCE)).voucherSettlement,
      (v) => ["COMPLETED", "PARTIALLY_PAID", "FAILED"].includes(v.status),
      180_000,
    );
    expect(settled).toMatchObject({ status: "COMPLETED", paidCount: 1 });
    const merchantPaid = [...wallet.transactions.values()].filter((t) => t.msisdn.endsWith("254700000123") && t.transactionStatus === "completed");
    expect(merchantPaid.map((t) => t.amount)).toEqual([expect.stringMatching(/^250(\.00?)?$/)]);
    const books = await gql(`{ trialBalance { balances } ledgerAccounts { code balance } }`, {}, FINANCE);
    expect(books.trialBalance.balances).toBe("0.00");
    expect(cents(books.ledgerAccounts.find((a: { code: string }) => a.code === "SETTLEMENT:mpesa").balance)).toBe(expected + 25000n);
    const report = (await gql(`query ($p: ID!) { voucherReport(programId: $p) { byStatus { status count } } }`, { p: voucherProgram.id }, { role: "auditor" })).voucherReport;
    const byStatus = Object.fromEntries(report.byStatus.map((r: { status: string; count: number }) => [r.status, r.count]));
    expect(byStatus).toEqual({ UTILIZED: 1, INACTIVE: vChecked.eligible - 1 });
  }, 420_000);
});
