import { randomUUID } from "node:crypto";
import { codesOf, dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { compactDecrypt, exportJWK, generateKeyPair, type KeyLike } from "jose";
import { subgraph } from "../src";
import { isValidSecret } from "../src/domain/numbers";
import { Voucher } from "../src/entities/voucher.entity";

const finance = { role: "finance_officer" as const };
const BATCH = /* GraphQL */ `
  mutation ($i: IssueVoucherBatchInput!) { issueVoucherBatch(input: $i) { batchId instructionCount status } }
`;

describe("bulk voucher issuance", () => {
  let sg: TestSubgraph;
  let deliveryKey: string;
  let privateKey: KeyLike;
  const programId = randomUUID();
  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
    const pair = await generateKeyPair("ECDH-ES+A256KW", { crv: "P-256" });
    privateKey = pair.privateKey;
    deliveryKey = JSON.stringify(await exportJWK(pair.publicKey));
  });
  afterAll(() => sg.stop());

  const instructions = (n: number, prefix: string) =>
    Array.from({ length: n }, (_, i) => ({ instructionId: `${prefix}-${i}`, programId, registrantId: randomUUID(), value: "12.50", currency: "KES", presenceRequired: false }));

  it("issues a batch in chunks as a job; the secrets come back only encrypted to the requester", async () => {
    const vouchers = instructions(2300, "b1");
    const started = dataOf(await sg.request(BATCH, { i: { batchId: "batch-1", deliveryKey, vouchers } }, finance)).issueVoucherBatch;
    expect(started).toMatchObject({ batchId: "batch-1", instructionCount: 2300 });
    const status = async () => dataOf(await sg.request(`{ voucherBatch(batchId: "batch-1") { status chunksDone chunksTotal } }`, {}, finance)).voucherBatch;
    for (let i = 0; i < 200 && (await status()).status !== "COMPLETED"; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await status()).toEqual({ status: "COMPLETED", chunksDone: 3, chunksTotal: 3 });

    const deliveries = dataOf(await sg.request(`{ voucherDeliveries(batchId: "batch-1") { chunk count jwe } }`, {}, finance)).voucherDeliveries;
    expect(deliveries.map((d: any) => d.count)).toEqual([1000, 1000, 300]);
    const opened = (await Promise.all(deliveries.map(async (d: any) => JSON.parse(new TextDecoder().decode((await compactDecrypt(d.jwe, privateKey)).plaintext))))).flat();
    expect(opened).toHaveLength(2300);
    expect(new Set(opened.map((o: any) => o.instructionId)).size).toBe(2300);
    expect(opened.every((o: any) => isValidSecret(o.secret) && o.qr && !o.alreadyIssued)).toBe(true);
    expect(await sg.orm.em.fork().count(Voucher, { programId })).toBe(2300);
    // No secret in plaintext anywhere in the responses.
    const dump = JSON.stringify(deliveries);
    expect(opened.slice(0, 50).some((o: any) => dump.includes(o.secret))).toBe(false);

    // A secret from the envelope redeems its voucher.
    const merchant = dataOf(await sg.request(`mutation { registerMerchant(input: { code: "BULK-SHOP", name: "Bulk", financialAddress: "bank:123@kcb" }) { id } }`, {}, finance)).registerMerchant;
    dataOf(await sg.request(`mutation ($id: ID!) { setMerchantStatus(id: $id, status: APPROVED) { status } }`, { id: merchant.id }, finance));
    dataOf(await sg.request(`mutation ($s: [String!]!) { activateVouchers(serialNumbers: $s) { ok } }`, { s: [opened[1234].serialNumber] }, finance));
    const redeemed = await sg.request(`mutation ($s: String!) { redeemVoucher(input: { secret: $s }) { amount } }`, { s: opened[1234].secret }, { role: "merchant", partnerId: "BULK-SHOP" });
    expect(dataOf(redeemed).redeemVoucher.amount).toBe("12.50");
  });

  it("is idempotent by batch id and refuses bad batches whole", async () => {
    const again = dataOf(await sg.request(BATCH, { i: { batchId: "batch-1", deliveryKey, vouchers: instructions(2300, "b1") } }, finance)).issueVoucherBatch;
    expect(again.instructionCount).toBe(2300);
    expect(await sg.orm.em.fork().count(Voucher, { programId })).toBe(2300);
    expect(codesOf(await sg.request(BATCH, { i: { batchId: "batch-1", deliveryKey, vouchers: instructions(5, "x") } }, finance))).toEqual(["IDEMPOTENCY_MISMATCH"]);

    const bad = instructions(10, "b2");
    bad[7] = { ...bad[7]!, value: "-1" };
    const refused = await sg.request(BATCH, { i: { batchId: "batch-2", deliveryKey, vouchers: bad } }, finance);
    expect(codesOf(refused)).toEqual(["BAD_USER_INPUT"]);
    expect(refused.errors![0]!.extensions!.field).toBe("vouchers[7]");
    expect(codesOf(await sg.request(BATCH, { i: { batchId: "batch-3", deliveryKey: '{"kty":"oct","k":"abc"}', vouchers: instructions(1, "b3") } }, finance))).toEqual(["BAD_USER_INPUT"]);
    expect(await sg.orm.em.fork().count(Voucher, { instructionId: { $like: "b2-%" } })).toBe(0);
  });
});
