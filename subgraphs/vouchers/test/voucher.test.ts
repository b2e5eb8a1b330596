import { randomUUID } from "node:crypto";
import http from "node:http";
import { Writable } from "node:stream";
import { AuditEntry, codesOf, dataOf, startTestSubgraph, tokenFor, type TestSubgraph } from "@g2p/kit";
import { decodeJwt, generateKeyPair, SignJWT } from "jose";
import pino from "pino";
import { subgraph } from "../src";
import { isValidSecret } from "../src/domain/numbers";
import { Redemption } from "../src/entities/redemption.entity";
import { groupCommitStats } from "../src/services/redemption.service";

const finance = { role: "finance_officer" as const, sub: "officer-1" };
const PROGRAM = randomUUID();
const ISSUE = /* GraphQL */ `
  mutation ($i: IssueVoucherInput!) { issueVoucher(input: $i) { secret qr alreadyIssued voucher { id serialNumber status value currency basket programId } } }
`;
const REDEEM = /* GraphQL */ `
  mutation ($i: RedeemVoucherInput!) { redeemVoucher(input: $i) { id amount currency merchant { code } } }
`;
const merchantCaller = (code: string) => ({ role: "merchant" as const, partnerId: code, sub: `merchant:${code}` });

describe("vouchers subgraph", () => {
  let sg: TestSubgraph;
  const logLines: string[] = [];
  let n = 0;

  beforeAll(async () => {
    const sink = new Writable({ write: (chunk, _enc, done) => (logLines.push(chunk.toString()), done()) });
    sg = await startTestSubgraph(subgraph, { MERCHANT_MAX_FAILED_SECRETS: "5" }, { logger: pino({ level: "trace" }, sink) });
    for (const [code, group] of [["SHOP-1", null], ["SHOP-2", null], ["SHOP-G", "FOOD"], ["SHOP-LOCK", null]] as const) {
      const { registerMerchant } = dataOf(
        await sg.request(`mutation ($i: RegisterMerchantInput!) { registerMerchant(input: $i) { id status } }`, { i: { code, name: code, groupCode: group, financialAddress: `mobile:+25470000000${n++}@mpesa` } }, finance),
      );
      expect(registerMerchant.status).toBe("PENDING");
      dataOf(await sg.request(`mutation ($id: ID!) { setMerchantStatus(id: $id, status: APPROVED) { status } }`, { id: registerMerchant.id }, finance));
    }
  });
  afterAll(() => sg.stop());

  /** Issues and activates a value voucher without a presence requirement. */
  async function activeVoucher(extra: Record<string, unknown> = {}) {
    const { issueVoucher } = dataOf(
      await sg.request(ISSUE, { i: { instructionId: `i-${n++}`, programId: PROGRAM, registrantId: randomUUID(), value: "25", currency: "KES", presenceRequired: false, ...extra } }, finance),
    );
    const [activated] = dataOf(await sg.request(`mutation ($s: [String!]!) { activateVouchers(serialNumbers: $s) { ok status } }`, { s: [issueVoucher.voucher.serialNumber] }, finance)).activateVouchers;
    expect(activated).toEqual({ ok: true, status: "ACTIVE" });
    return issueVoucher as { secret: string; qr: string; voucher: { id: string; serialNumber: string } };
  }

  it("issues a voucher with a Luhn-checked secret and a signed QR, once per instruction id", async () => {
    const input = { instructionId: "first", programId: PROGRAM, registrantId: randomUUID(), value: "25", currency: "KES" };
    const { issueVoucher: v } = dataOf(await sg.request(ISSUE, { i: input }, finance));
    expect(v.voucher).toMatchObject({ status: "INACTIVE", value: "25.00", currency: "KES", programId: PROGRAM });
    expect(v.voucher.serialNumber).toMatch(/^[1-9]\d{13}$/);
    expect(isValidSecret(v.secret)).toBe(true);
    expect(decodeJwt(v.qr)).toMatchObject({ sn: v.voucher.serialNumber, vn: v.secret, v: "25.00", c: "KES" });
    const again = dataOf(await sg.request(ISSUE, { i: input }, finance)).issueVoucher;
    expect(again).toMatchObject({ alreadyIssued: true, secret: null, qr: null, voucher: { id: v.voucher.id } });
    expect(codesOf(await sg.request(ISSUE, { i: { ...input, value: "26" } }, finance))).toEqual(["IDEMPOTENCY_MISMATCH"]);
    const basket = dataOf(await sg.request(ISSUE, { i: { ...input, instructionId: "basket", value: null, currency: null, basket: [{ item: "maize flour", quantity: 10, unit: "kg" }] } }, finance));
    expect(basket.issueVoucher.voucher).toMatchObject({ value: null, basket: [{ item: "maize flour", quantity: 10, unit: "kg" }] });
  });

  it.each([
    [{ value: null, currency: null }, "value"],
    [{ value: "0" }, "value"],
    [{ currency: "kes" }, "currency"],
    [{ expiresAt: new Date(Date.now() - 1000).toISOString() }, "expiresAt"],
    [{ basket: [{ item: "rice", quantity: 1, unit: "kg" }] }, "value"],
  ])("refuses %j (BAD_USER_INPUT on %s) and writes nothing", async (change, field) => {
    const before = await sg.orm.em.fork().count(AuditEntry, {});
    const result = await sg.request(ISSUE, { i: { instructionId: `bad-${n++}`, programId: PROGRAM, registrantId: randomUUID(), value: "5", currency: "KES", ...change } }, finance);
    expect(codesOf(result)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors![0]!.extensions!.field).toBe(field);
    expect(await sg.orm.em.fork().count(AuditEntry, {})).toBe(before);
  });

  it("redeems once with the secret; the next attempt is refused", async () => {
    const v = await activeVoucher();
    const redeemed = dataOf(await sg.request(REDEEM, { i: { secret: v.secret } }, merchantCaller("SHOP-1"))).redeemVoucher;
    expect(redeemed).toMatchObject({ amount: "25.00", currency: "KES", merchant: { code: "SHOP-1" } });
    const again = await sg.request(REDEEM, { i: { secret: v.secret } }, merchantCaller("SHOP-2"));
    expect(codesOf(again)).toEqual(["CONFLICT"]);
    expect(again.errors![0]!.extensions!.status).toBe("UTILIZED");
    const history = dataOf(await sg.request(`query ($id: ID!) { voucher(id: $id) { status history { action fromStatus toStatus } } }`, { id: v.voucher.id }, finance)).voucher;
    expect(history.status).toBe("UTILIZED");
    expect(history.history.map((h: any) => h.action)).toEqual(["issue", "activate", "redeem"]);
  });

  it("lets exactly one of 100 concurrent redemptions of one voucher succeed", async () => {
    const v = await activeVoucher();
    const merchants = ["SHOP-1", "SHOP-2"];
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => sg.request(REDEEM, { i: { secret: v.secret } }, merchantCaller(merchants[i % 2]!))));
    const winners = results.filter((r) => !r.errors && r.data?.redeemVoucher);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.errors).every((r) => codesOf(r)[0] === "CONFLICT")).toBe(true);
    expect(await sg.orm.em.fork().count(Redemption, { voucherId: v.voucher.id })).toBe(1);
  });

  it("writes concurrent HTTP redemptions of different vouchers in shared transactions (group commit)", async () => {
    const vouchers = [];
    for (let i = 0; i < 12; i++) vouchers.push(await activeVoucher());
    const token = await tokenFor("merchant", { partnerId: "SHOP-1", sub: "merchant:SHOP-1" });
    // Tills keep their connections open: warm 12 keep-alive sockets, then send 12 redemptions at once.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 12 });
    const post = (query: string, variables: Record<string, unknown>) =>
      new Promise<string>((resolve, reject) => {
        const body = JSON.stringify({ query, variables });
        const req = http.request(sg.url, { method: "POST", agent, headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "content-length": Buffer.byteLength(body) } }, (res) => {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => resolve(text));
        });
        req.on("error", reject);
        req.end(body);
      });
    try {
      await Promise.all(vouchers.map(() => post("{ __typename }", {})));
      const before = { ...groupCommitStats };
      const results = await Promise.all(vouchers.map((v) => post(REDEEM, { i: { secret: v.secret } })));
      expect(results.filter((r) => r.includes('"errors"'))).toEqual([]);
      expect(groupCommitStats.redemptions - before.redemptions).toBe(12);
      // Each request reaches the server on its own through the event loop; they must still share commits.
      expect(groupCommitStats.groups - before.groups).toBeLessThan(12);
    } finally {
      agent.destroy();
    }
  });

  it("refuses suspended, cancelled and expired vouchers; terminal states refuse every operation", async () => {
    const suspended = await activeVoucher();
    expect(codesOf(await sg.request(`mutation ($s: [String!]!) { suspendVouchers(serialNumbers: $s, reason: "") { ok } }`, { s: [suspended.voucher.serialNumber] }, finance))).toEqual(["BAD_USER_INPUT"]);
    dataOf(await sg.request(`mutation ($s: [String!]!) { suspendVouchers(serialNumbers: $s, reason: "fraud check") { ok } }`, { s: [suspended.voucher.serialNumber] }, finance));
    expect(codesOf(await sg.request(REDEEM, { i: { secret: suspended.secret } }, merchantCaller("SHOP-1")))).toEqual(["CONFLICT"]);

    const cancelled = await activeVoucher();
    dataOf(await sg.request(`mutation ($s: [String!]!) { cancelVouchers(serialNumbers: $s, reason: "duplicate") { ok } }`, { s: [cancelled.voucher.serialNumber] }, finance));
    expect(codesOf(await sg.request(REDEEM, { i: { secret: cancelled.secret } }, merchantCaller("SHOP-1")))).toEqual(["CONFLICT"]);
    for (const command of ["activateVouchers", "reactivateVouchers"]) {
      const [r] = dataOf(await sg.request(`mutation ($s: [String!]!) { ${command}(serialNumbers: $s) { ok status error } }`, { s: [cancelled.voucher.serialNumber] }, finance))[command];
      expect(r).toMatchObject({ ok: false, status: "CANCELLED" });
    }

    const expiring = await activeVoucher({ expiresAt: new Date(Date.now() + 1500).toISOString() });
    await new Promise((r) => setTimeout(r, 1600));
    const expired = await sg.request(REDEEM, { i: { secret: expiring.secret } }, merchantCaller("SHOP-1"));
    expect(codesOf(expired)).toEqual(["CONFLICT"]);
    expect(expired.errors![0]!.extensions!.status).toBe("EXPIRED");
  });

  it("expires due vouchers with the sweeper job", async () => {
    const due = await activeVoucher({ expiresAt: new Date(Date.now() + 1000).toISOString() });
    const fresh = await activeVoucher();
    await new Promise((r) => setTimeout(r, 1100));
    const jobId = dataOf(await sg.request(`mutation { sweepExpiredVouchers }`, {}, finance)).sweepExpiredVouchers;
    expect(await sg.jobs.waitFor(jobId)).toMatchObject({ status: "COMPLETED" });
    const status = async (id: string) => dataOf(await sg.request(`query ($id: ID!) { voucher(id: $id) { status } }`, { id }, finance)).voucher.status;
    expect(await status(due.voucher.id)).toBe("EXPIRED");
    expect(await status(fresh.voucher.id)).toBe("ACTIVE");
  });

  it("accepts the genuine QR and refuses a forged or altered one", async () => {
    const v = await activeVoucher();
    const [header, payload, signature] = v.qr.split(".");
    const altered = JSON.parse(Buffer.from(payload!, "base64url").toString());
    altered.v = "2500.00";
    const tampered = `${header}.${Buffer.from(JSON.stringify(altered)).toString("base64url")}.${signature}`;
    // Signed with another key under our key id: what a forger would try.
    const other = await generateKeyPair("ES256");
    const kid = JSON.parse(Buffer.from(header!, "base64url").toString()).kid;
    const forged = await new SignJWT({ sn: v.voucher.serialNumber, vn: v.secret, v: "25.00", c: "KES" }).setProtectedHeader({ alg: "ES256", kid }).setIssuer("g2p-graph/vouchers").sign(other.privateKey);
    for (const qr of [tampered, forged, "not-a-jws"]) {
      const r = await sg.request(REDEEM, { i: { qr } }, merchantCaller("SHOP-1"));
      expect(codesOf(r)).toEqual(["BAD_USER_INPUT"]);
      expect(r.errors![0]!.extensions!.reason).toBe("FORGED_QR");
    }
    expect(dataOf(await sg.request(REDEEM, { i: { qr: v.qr } }, merchantCaller("SHOP-1"))).redeemVoucher.amount).toBe("25.00");
  });

  it("locks a merchant out after repeated wrong secrets", async () => {
    const v = await activeVoucher();
    const wrong = v.secret.slice(0, 16) + String((Number(v.secret[16]) + 1) % 10) + "0";
    for (let i = 0; i < 5; i++) expect(codesOf(await sg.request(REDEEM, { i: { secret: wrong } }, merchantCaller("SHOP-LOCK")))).toEqual(["NOT_FOUND"]);
    const locked = await sg.request(REDEEM, { i: { secret: v.secret } }, merchantCaller("SHOP-LOCK"));
    expect(codesOf(locked)).toEqual(["FORBIDDEN"]);
    expect(locked.errors![0]!.message).toMatch(/locked/);
    expect(dataOf(await sg.request(REDEEM, { i: { secret: v.secret } }, merchantCaller("SHOP-2"))).redeemVoucher).toBeTruthy();
  });

  it("enforces voucher groups, program scope, merchant approval and the presence requirement", async () => {
    const grouped = await activeVoucher({ groupCode: "FOOD" });
    expect(codesOf(await sg.request(REDEEM, { i: { secret: grouped.secret } }, merchantCaller("SHOP-1")))).toEqual(["FORBIDDEN"]);
    expect(dataOf(await sg.request(REDEEM, { i: { secret: grouped.secret } }, merchantCaller("SHOP-G"))).redeemVoucher).toBeTruthy();

    const scoped = await activeVoucher();
    expect(codesOf(await sg.request(`query ($id: ID!) { voucher(id: $id) { id } }`, { id: scoped.voucher.id }, { ...finance, programIds: [randomUUID()] }))).toEqual(["FORBIDDEN"]);
    expect(codesOf(await sg.request(REDEEM, { i: { secret: scoped.secret } }, merchantCaller("UNKNOWN")))).toEqual(["FORBIDDEN"]);
    expect(codesOf(await sg.request(REDEEM, { i: { secret: scoped.secret } }, { role: "finance_officer" }))).toEqual(["FORBIDDEN"]);

    const needsPresence = await activeVoucher({ presenceRequired: true });
    expect(codesOf(await sg.request(REDEEM, { i: { secret: needsPresence.secret } }, merchantCaller("SHOP-1")))).toEqual(["BAD_USER_INPUT"]);
    // No gateway here: the identity check cannot be made, so nothing is redeemed.
    expect(codesOf(await sg.request(REDEEM, { i: { secret: needsPresence.secret, presenceTransactionId: "tx-1" } }, merchantCaller("SHOP-1")))).toEqual(["SUBGRAPH_UNAVAILABLE"]);
    expect(dataOf(await sg.request(`query ($id: ID!) { voucher(id: $id) { status } }`, { id: needsPresence.voucher.id }, finance)).voucher.status).toBe("ACTIVE");
  });

  it("reports counts and exact values by status and by merchant", async () => {
    const report = dataOf(await sg.request(`query ($p: ID!) { voucherReport(programId: $p) { byStatus { status count totalValue currency } byMerchant { merchantId count totalValue } } }`, { p: PROGRAM }, { role: "auditor" })).voucherReport;
    const utilized = report.byStatus.find((r: any) => r.status === "UTILIZED" && r.currency === "KES");
    expect(utilized.count).toBeGreaterThanOrEqual(5);
    expect(utilized.totalValue).toBe((utilized.count * 25).toFixed(2));
    expect(report.byMerchant.reduce((a: number, r: any) => a + r.count, 0)).toBe(utilized.count);
  });

  it("never shows a secret after issuance: not in reads, the audit log or any log line", async () => {
    const v = await activeVoucher();
    const reads = await sg.request(
      `query ($id: ID!, $s: String!) { voucher(id: $id) { id serialNumber history { action reason } } voucherBySerial(serialNumber: $s) { id } }`,
      { id: v.voucher.id, s: v.voucher.serialNumber },
      finance,
    );
    const entities = await sg.request(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on Voucher { id serialNumber status } } }`, { r: [{ __typename: "Voucher", id: v.voucher.id }] }, { role: "service" });
    await sg.request(REDEEM, { i: { secret: v.secret } }, merchantCaller("SHOP-2"));
    const audit = JSON.stringify(await sg.orm.em.fork().find(AuditEntry, {}));
    for (const text of [reads.dump, entities.dump, audit, logLines.join("")]) {
      expect(text).not.toContain(v.secret);
    }
    expect(logLines.length).toBeGreaterThan(0);
  });
});
