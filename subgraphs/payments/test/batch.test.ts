import { randomUUID } from "node:crypto";
import { codesOf, dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";
import { Payment } from "../src/entities/payment.entity";

const CREATE = `mutation ($i: CreateDisbursementBatchInput!) { createDisbursementBatch(input: $i) { id status totalAmount paymentCount payments { registrantId amount status } } }`;
const finance = { role: "finance_officer" as const };

describe("payments subgraph", () => {
  let sg: TestSubgraph;
  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
  });
  afterAll(() => sg.stop());

  it("stores a batch with an exact total, and is idempotent by correlation id", async () => {
    const [r1, r2] = [randomUUID(), randomUUID()];
    const input = { clientCorrelationId: "c-1", currency: "KES", payments: [{ registrantId: r1, amount: "0.10" }, { registrantId: r2, amount: "0.2" }] };
    const { createDisbursementBatch: batch } = dataOf(await sg.request(CREATE, { i: input }, finance));
    expect(batch).toMatchObject({ status: "RECEIVED", totalAmount: "0.30", paymentCount: 2 });
    expect(batch.payments.map((p: any) => p.amount)).toEqual(["0.10", "0.20"]);
    const again = dataOf(await sg.request(CREATE, { i: input }, finance)).createDisbursementBatch;
    expect(again.id).toBe(batch.id);
    const changed = { ...input, payments: [{ registrantId: r1, amount: "0.11" }, input.payments[1]] };
    expect(codesOf(await sg.request(CREATE, { i: changed }, finance))).toEqual(["IDEMPOTENCY_MISMATCH"]);
    expect(await sg.orm.em.fork().count(Payment, {})).toBe(2);
  });

  it("refuses bad amounts and writes nothing", async () => {
    const before = await sg.orm.em.fork().count(Payment, {});
    const bad = { clientCorrelationId: "c-2", currency: "KES", payments: [{ registrantId: randomUUID(), amount: "10" }, { registrantId: randomUUID(), amount: "-5" }] };
    const result = await sg.request(CREATE, { i: bad }, finance);
    expect(codesOf(result)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors![0]!.extensions!.field).toBe("payments[1].amount");
    expect(codesOf(await sg.request(CREATE, { i: { ...bad, payments: [] } }, finance))).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await sg.request(CREATE, { i: bad }, { role: "auditor" }))).toEqual(["FORBIDDEN"]);
    expect(await sg.orm.em.fork().count(Payment, {})).toBe(before);
  });

  it("lists Registrant.payments for many registrants in one query", async () => {
    const people = [randomUUID(), randomUUID(), randomUUID()];
    dataOf(await sg.request(CREATE, { i: { clientCorrelationId: "c-3", currency: "KES", payments: people.map((registrantId) => ({ registrantId, amount: "5.00" })) } }, finance));
    sg.sql.length = 0;
    const { _entities } = dataOf(
      await sg.request(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on Registrant { payments { amount } } } }`, { r: people.map((id) => ({ __typename: "Registrant", id })) }, { role: "service" }),
    );
    expect(_entities.map((e: any) => e.payments.length)).toEqual([1, 1, 1]);
    expect(sg.sql.filter((q) => /^select/i.test(q.trim()))).toHaveLength(1);
  });
});
