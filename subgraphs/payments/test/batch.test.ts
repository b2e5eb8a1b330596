import { randomUUID } from "node:crypto";
import { codesOf, dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";
import { DisbursementBatch } from "../src/entities/disbursement-batch.entity";
import { Payment, PaymentStatus } from "../src/entities/payment.entity";
import { FINANCE } from "./helpers";

const CREATE = `mutation ($i: CreateDisbursementBatchInput!) { createDisbursementBatch(input: $i) { id status totalAmount paymentCount } }`;
const CSV = `mutation ($i: CsvDisbursementBatchInput!) { submitDisbursementCsv(input: $i) { id status totalAmount paymentCount source } }`;
const base = (id: string, payments: object[], extra: object = {}) => ({ clientCorrelationId: id, programCode: "CT-UNFUNDED", currency: "KES", payments, ...extra });

describe("batch intake", () => {
  let sg: TestSubgraph;
  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
  });
  afterAll(() => sg.stop());

  it("stores a batch with an exact total, and is idempotent by correlation id", async () => {
    const [r1, r2] = [randomUUID(), randomUUID()];
    const input = base("c-1", [{ registrantId: r1, amount: "0.10" }, { registrantId: r2, amount: "0.2" }]);
    const batch = dataOf(await sg.request(CREATE, { i: input }, FINANCE)).createDisbursementBatch;
    expect(batch).toMatchObject({ totalAmount: "0.30", paymentCount: 2 });
    const again = dataOf(await sg.request(CREATE, { i: input }, FINANCE)).createDisbursementBatch;
    expect(again.id).toBe(batch.id);
    const changed = { ...input, payments: [{ registrantId: r1, amount: "0.11" }, input.payments[1]] };
    expect(codesOf(await sg.request(CREATE, { i: changed }, FINANCE))).toEqual(["IDEMPOTENCY_MISMATCH"]);
    const rows = await sg.orm.em.fork().find(Payment, { batchId: batch.id }, { orderBy: { seq: "asc" } });
    expect(rows.map((p) => [p.seq, p.amount, p.beneficiaryId])).toEqual([
      [0, "0.10", r1],
      [1, "0.20", r2],
    ]);
  });

  it("shows where a payment goes only to callers allowed personal data; others see it masked", async () => {
    const registrantId = randomUUID();
    const input = base("c-privacy", [
      { instructionId: "p-1", financialAddress: "mobile:254700000001@mpesa", amount: "1" },
      { instructionId: "p-2", registrantId, financialAddress: "bank:KE1234567890@kcb", amount: "2" },
    ]);
    const { id } = dataOf(await sg.request(CREATE, { i: input }, FINANCE)).createDisbursementBatch;
    const READ = `query ($id: ID!) { disbursementBatch(id: $id) { payments(first: 10) { nodes { beneficiaryId financialAddress } } } }`;
    const asFinance = dataOf(await sg.request(READ, { id }, FINANCE)).disbursementBatch.payments.nodes;
    // Given an address and no registrant, the address is also whom the payment is for.
    expect(asFinance[0]).toEqual({ beneficiaryId: "mobile:••••••••••01@mpesa", financialAddress: "mobile:••••••••••01@mpesa" });
    // A registrant id is not personal data: it stays whole.
    expect(asFinance[1]).toEqual({ beneficiaryId: registrantId, financialAddress: "bank:••••••••••90@kcb" });
    const asAdmin = dataOf(await sg.request(READ, { id }, { role: "admin", sub: "admin-1" })).disbursementBatch.payments.nodes;
    expect(asAdmin[0]).toEqual({ beneficiaryId: "mobile:254700000001@mpesa", financialAddress: "mobile:254700000001@mpesa" });
    expect(asAdmin[1].financialAddress).toBe("bank:KE1234567890@kcb");
  });

  it("a payment with the address of an active provider is prepared by its INSERT; others are left to prepare", async () => {
    dataOf(
      await sg.request(`mutation { upsertPaymentProvider(input: { code: "intake-active", name: "A", kind: WALLET, connector: GSMA, endpointUrl: "http://127.0.0.1:1/" }) { code } }`, {}, FINANCE),
    );
    dataOf(
      await sg.request(`mutation { upsertPaymentProvider(input: { code: "intake-off", name: "B", kind: WALLET, connector: GSMA, endpointUrl: "http://127.0.0.1:1/", active: false }) { code } }`, {}, FINANCE),
    );
    const payments = [
      { instructionId: "a", financialAddress: "mobile:254700000001@intake-active", amount: "1.00" },
      { instructionId: "b", financialAddress: "mobile:254700000002@intake-off", amount: "1.00" },
      { instructionId: "c", financialAddress: "mobile:254700000003@nowhere", amount: "1.00" },
      { instructionId: "d", registrantId: randomUUID(), amount: "1.00" },
    ];
    // No programCode: the batch waits in RECEIVED and its pipeline does not run, so this is the INSERT alone.
    const batch = dataOf(await sg.request(CREATE, { i: { clientCorrelationId: "c-intake", currency: "KES", payments } }, FINANCE)).createDisbursementBatch;
    expect(batch.status).toBe("RECEIVED");
    const rows = await sg.orm.em.fork().find(Payment, { batchId: batch.id }, { orderBy: { seq: "asc" } });
    expect(rows.map((p) => [p.status, p.providerCode ?? null])).toEqual([
      [PaymentStatus.PENDING, "intake-active"],
      [PaymentStatus.PENDING, null],
      [PaymentStatus.PENDING, null],
      [PaymentStatus.PENDING, null],
    ]);
  });

  it("the same batch submitted 50 times concurrently with one correlation id makes one batch", async () => {
    const input = base("c-concurrent", Array.from({ length: 20 }, (_, i) => ({ registrantId: randomUUID(), amount: `${i + 1}.00` })));
    const results = await Promise.all(Array.from({ length: 50 }, () => sg.request(CREATE, { i: input }, FINANCE)));
    const ids = new Set(results.map((r) => dataOf(r).createDisbursementBatch.id));
    expect(ids.size).toBe(1);
    const em = sg.orm.em.fork();
    expect(await em.count(DisbursementBatch, { clientCorrelationId: "c-concurrent" })).toBe(1);
    expect(await em.count(Payment, { batchId: [...ids][0] })).toBe(20);
  });

  it("refuses bad amounts, empty batches and callers without payment:write, writing nothing", async () => {
    const before = await sg.orm.em.fork().count(Payment, {});
    const bad = base("c-2", [{ registrantId: randomUUID(), amount: "10" }, { registrantId: randomUUID(), amount: "-5" }]);
    const result = await sg.request(CREATE, { i: bad }, FINANCE);
    expect(codesOf(result)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors![0]!.extensions!.field).toBe("payments[1].amount");
    expect(codesOf(await sg.request(CREATE, { i: { ...bad, payments: [] } }, FINANCE))).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await sg.request(CREATE, { i: base("c-2b", [{ amount: "1.00" }]) }, FINANCE))).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await sg.request(CREATE, { i: base("c-2c", [{ financialAddress: "not-an-address", amount: "1.00" }]) }, FINANCE))).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await sg.request(CREATE, { i: bad }, { role: "auditor" }))).toEqual(["FORBIDDEN"]);
    expect(codesOf(await sg.request(CREATE, { i: bad }))).toEqual(["UNAUTHENTICATED"]);
    expect(await sg.orm.em.fork().count(Payment, {})).toBe(before);
  });

  it("never pays an entitlement twice: not twice in a batch, not in a second batch", async () => {
    const ent = `ent-${randomUUID()}`;
    dataOf(await sg.request(CREATE, { i: base("c-ent-1", [{ registrantId: randomUUID(), entitlementId: ent, amount: "5.00" }]) }, FINANCE));
    const second = await sg.request(CREATE, { i: base("c-ent-2", [{ registrantId: randomUUID(), entitlementId: ent, amount: "5.00" }]) }, FINANCE);
    expect(codesOf(second)).toEqual(["CONFLICT"]);
    const dup = base("c-ent-3", [
      { registrantId: randomUUID(), entitlementId: "e-x", amount: "1.00" },
      { registrantId: randomUUID(), entitlementId: "e-x", amount: "1.00" },
    ]);
    expect(codesOf(await sg.request(CREATE, { i: dup }, FINANCE))).toEqual(["BAD_USER_INPUT"]);
    expect(await sg.orm.em.fork().count(Payment, { entitlementId: ent })).toBe(1);
  });

  it("takes a CSV in Payment Hub EE's columns, keeping bad rows as INVALID with a reason", async () => {
    const csv = [
      "id,request_id,payment_mode,payee_identifier_type,payee_identifier,amount,currency,note,payee_dfsp_id",
      '1,r-1,GSMA,MSISDN,254700000001,100.50,KES,"cycle 1, March",mpesa',
      "2,r-2,GSMA,MSISDN,254700000002,abc,KES,,mpesa",
      "3,r-3,GSMA,MSISDN,2547000X,10,KES,,mpesa",
      "4,r-4,GSMA,MSISDN,254700000004,10,USD,,mpesa",
      "5,r-1,GSMA,MSISDN,254700000005,7,KES,,mpesa",
      "6,r-6,GSMA,MSISDN,254700000006,1.25,KES,,",
    ].join("\n");
    const input = { clientCorrelationId: "csv-1", programCode: "CT-UNFUNDED", currency: "KES", csv };
    const batch = dataOf(await sg.request(CSV, { i: input }, FINANCE)).submitDisbursementCsv;
    expect(batch).toMatchObject({ paymentCount: 6, totalAmount: "101.75", source: "CSV" });
    const rows = await sg.orm.em.fork().find(Payment, { batchId: batch.id }, { orderBy: { seq: "asc" } });
    expect(rows[0]).toMatchObject({ instructionId: "r-1", financialAddress: "mobile:254700000001@mpesa", note: "cycle 1, March", amount: "100.50" });
    expect(rows.slice(1, 5).map((r) => r.status)).toEqual(Array(4).fill(PaymentStatus.INVALID));
    expect(rows[1]!.statusReason).toMatch(/amount/);
    expect(rows[2]!.statusReason).toMatch(/MSISDN/);
    expect(rows[3]!.statusReason).toMatch(/currency/);
    expect(rows[4]!.statusReason).toMatch(/duplicate request_id/);
    expect(rows[5]).toMatchObject({ financialAddress: null, beneficiaryId: "254700000006" });
    expect(dataOf(await sg.request(CSV, { i: input }, FINANCE)).submitDisbursementCsv.id).toBe(batch.id);
    expect(codesOf(await sg.request(CSV, { i: { ...input, csv: csv + "\n7,r-7,GSMA,MSISDN,254700000007,1,KES,,mpesa" } }, FINANCE))).toEqual(["IDEMPOTENCY_MISMATCH"]);
    const badHeader = await sg.request(CSV, { i: { ...input, clientCorrelationId: "csv-2", csv: "payee,amount\nx,1" } }, FINANCE);
    expect(codesOf(badHeader)).toEqual(["BAD_USER_INPUT"]);
    expect(await sg.orm.em.fork().count(DisbursementBatch, { clientCorrelationId: "csv-2" })).toBe(0);
  });

  it("lists Registrant.payments for many registrants in one query", async () => {
    const people = [randomUUID(), randomUUID(), randomUUID()];
    dataOf(await sg.request(CREATE, { i: base("c-3", people.map((registrantId) => ({ registrantId, amount: "5.00" }))) }, FINANCE));
    sg.sql.length = 0;
    const { _entities } = dataOf(
      await sg.request(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on Registrant { payments { amount } } } }`, { r: people.map((id) => ({ __typename: "Registrant", id })) }, { role: "service" }),
    );
    expect(_entities.map((e: any) => e.payments.length)).toEqual([1, 1, 1]);
    expect(sg.sql.filter((q) => /^select/i.test(q.trim()) && /registrant_id/.test(q))).toHaveLength(1);
  });
});
