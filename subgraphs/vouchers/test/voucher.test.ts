import { randomUUID } from "node:crypto";
import { codesOf, dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";

const ISSUE = `mutation ($i: IssueVoucherInput!) { issueVoucher(input: $i) { id serialNumber status value currency registrantId } }`;
const finance = { role: "finance_officer" as const };

describe("vouchers subgraph", () => {
  let sg: TestSubgraph;
  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
  });
  afterAll(() => sg.stop());

  it("issues a voucher once per instruction id", async () => {
    const input = { instructionId: "i-1", registrantId: randomUUID(), value: "25", currency: "KES" };
    const { issueVoucher: v } = dataOf(await sg.request(ISSUE, { i: input }, finance));
    expect(v).toMatchObject({ status: "INACTIVE", value: "25.00", currency: "KES" });
    expect(v.serialNumber).toMatch(/^[1-9]\d{13}$/);
    expect(dataOf(await sg.request(ISSUE, { i: input }, finance)).issueVoucher.id).toBe(v.id);
    expect(codesOf(await sg.request(ISSUE, { i: { ...input, value: "26" } }, finance))).toEqual(["IDEMPOTENCY_MISMATCH"]);
    expect(codesOf(await sg.request(ISSUE, { i: { ...input, instructionId: "i-2", value: "0" } }, finance))).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await sg.request(ISSUE, { i: { ...input, instructionId: "i-3" } }, { role: "merchant" }))).toEqual(["FORBIDDEN"]);
    expect(dataOf(await sg.request(`query ($id: ID!) { voucher(id: $id) { serialNumber } }`, { id: v.id }, { role: "merchant" })).voucher.serialNumber).toBe(v.serialNumber);
  });

  it("lists Registrant.vouchers in one query", async () => {
    const people = [randomUUID(), randomUUID()];
    for (const [n, registrantId] of people.entries()) dataOf(await sg.request(ISSUE, { i: { instructionId: `j-${n}`, registrantId, value: "10", currency: "KES" } }, finance));
    sg.sql.length = 0;
    const { _entities } = dataOf(
      await sg.request(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on Registrant { vouchers { value } } } }`, { r: people.map((id) => ({ __typename: "Registrant", id })) }, { role: "service" }),
    );
    expect(_entities).toEqual([{ vouchers: [{ value: "10.00" }] }, { vouchers: [{ value: "10.00" }] }]);
    expect(sg.sql.filter((q) => /^select/i.test(q.trim()))).toHaveLength(1);
  });
});
