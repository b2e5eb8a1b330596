/**
 * Redemption across blocks, through the gateway only: the merchant authenticates the beneficiary at
 * the identity block under its own partner id, then redeems; vouchers checks presence with identity
 * through the graph (service token) and never sees the person's ID number.
 */
import { randomUUID } from "node:crypto";
import { codesOf, dataOf } from "@g2p/kit";
import { startStack, type Stack } from "../src";

const ADMIN = { role: "admin" as const, sub: "admin-e2e" };
const MERCHANT = { role: "merchant" as const, sub: "shop-e2e-till-1", partnerId: "SHOP-E2E" };

describe("voucher redemption with an identity check", () => {
  let stack: Stack;
  let uin: string;
  let registrantId: string;
  let credentials: { apiKey: string; licenseKey: string };
  const programId = randomUUID();

  beforeAll(async () => {
    stack = await startStack();
    registrantId = dataOf(await stack.request(`mutation { createRegistrant(input: { kind: INDIVIDUAL, givenName: "Amina" }) { id } }`, {}, ADMIN)).createRegistrant.id;
    uin = dataOf(
      await stack.request(
        `mutation ($r: ID, $d: IdentityDemographicsInput) { createIdentity(registrantId: $r, demographics: $d) { uin } }`,
        { r: registrantId, d: { names: [{ language: "eng", value: "Amina Njeri" }], dateOfBirth: "1990-04-12", gender: "F" } },
        ADMIN,
      ),
    ).createIdentity.uin;
    const policyId = dataOf(
      await stack.request(
        `mutation ($i: CreateAuthPolicyInput!) { createAuthPolicy(input: $i) { id } }`,
        { i: { name: "merchant policy", authTokenType: "PARTNER", allowedAuthTypes: [{ authType: "DEMO" }, { authType: "OTP" }], allowedKycAttributes: [] } },
        ADMIN,
      ),
    ).createAuthPolicy.id;
    credentials = dataOf(
      await stack.request(`mutation ($i: CreateAuthPartnerInput!) { createAuthPartner(input: $i) { apiKey licenseKey } }`, { i: { id: "SHOP-E2E", name: "Duka la Mama", policyId } }, ADMIN),
    ).createAuthPartner;
    const merchantId = dataOf(
      await stack.request(`mutation { registerMerchant(input: { code: "SHOP-E2E", name: "Duka la Mama", financialAddress: "mobile:+254700000099@mpesa" }) { id } }`, {}, ADMIN),
    ).registerMerchant.id;
    dataOf(await stack.request(`mutation ($id: ID!) { setMerchantStatus(id: $id, status: APPROVED) { status } }`, { id: merchantId }, ADMIN));
  });
  afterAll(() => stack?.stop());

  async function activeVoucher(n: number) {
    const { issueVoucher } = dataOf(
      await stack.request(
        `mutation ($i: IssueVoucherInput!) { issueVoucher(input: $i) { secret voucher { serialNumber } } }`,
        { i: { instructionId: `e2e-${n}`, programId, registrantId, value: "40", currency: "KES" } },
        ADMIN,
      ),
    );
    dataOf(await stack.request(`mutation ($s: [String!]!) { activateVouchers(serialNumbers: $s) { ok } }`, { s: [issueVoucher.voucher.serialNumber] }, ADMIN));
    return issueVoucher.secret as string;
  }

  const authenticate = (transactionId: string, dateOfBirth: string) =>
    stack.request(
      `mutation ($i: IdAuthInput!) { authenticate(input: $i) { authStatus } }`,
      { i: { individualId: uin, transactionId, requestTime: new Date().toISOString(), consentObtained: true, credentials, demographics: { dateOfBirth } } },
      MERCHANT,
    );
  const redeem = (secret: string, presenceTransactionId: string) =>
    stack.request(`mutation ($i: RedeemVoucherInput!) { redeemVoucher(input: $i) { amount merchant { code } } }`, { i: { secret, presenceTransactionId } }, MERCHANT);

  it("redeems after the beneficiary authenticated at this merchant for this transaction", async () => {
    const secret = await activeVoucher(1);
    dataOf(await authenticate("redeem-tx-1", "1990-04-12"));
    expect(dataOf(await redeem(secret, "redeem-tx-1")).redeemVoucher).toEqual({ amount: "40.00", merchant: { code: "SHOP-E2E" } });
  });

  it("refuses without a successful authentication, and leaves the voucher usable", async () => {
    const secret = await activeVoucher(2);
    expect(codesOf(await authenticate("redeem-tx-2", "1991-01-01"))).toEqual(["FORBIDDEN"]); // wrong birth date
    expect(codesOf(await redeem(secret, "redeem-tx-2"))).toEqual(["FORBIDDEN"]);
    expect(codesOf(await redeem(secret, "never-authenticated"))).toEqual(["FORBIDDEN"]);
    dataOf(await authenticate("redeem-tx-3", "1990-04-12"));
    expect(dataOf(await redeem(secret, "redeem-tx-3")).redeemVoucher.amount).toBe("40.00");
  });
});
