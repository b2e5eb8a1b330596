import { codesOf, dataOf } from "@g2p/kit";
import { startStack, type Stack } from "../src";

describe("a subgraph process dies mid-test", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ spawn: ["payments"] });
  });
  afterAll(() => stack?.stop());

  it("gives partial data plus errors, and the gateway keeps serving", async () => {
    const admin = { role: "admin" as const };
    const { createRegistrant } = dataOf(await stack.request(`mutation { createRegistrant(input: { kind: GROUP, groupName: "H1" }) { id } }`, {}, admin));
    dataOf(
      await stack.request(
        `mutation ($i: CreateDisbursementBatchInput!) { createDisbursementBatch(input: $i) { id } }`,
        { i: { clientCorrelationId: "b1", currency: "KES", payments: [{ registrantId: createRegistrant.id, amount: "10" }] } },
        admin,
      ),
    );
    const query = `query ($id: ID!) { registrant(id: $id) { groupName vouchers { value } payments { amount } } }`;
    expect(dataOf(await stack.request(query, { id: createRegistrant.id }, admin)).registrant.payments).toEqual([{ amount: "10.00" }]);

    expect(await stack.processes.payments!.kill("SIGKILL")).toBeNull(); // killed by a signal, no exit code

    const partial = await stack.request(query, { id: createRegistrant.id }, admin);
    expect(partial.status).toBe(200);
    expect(partial.data?.registrant).toMatchObject({ groupName: "H1", vouchers: [] });
    expect(partial.data?.registrant.payments ?? null).toBeNull();
    expect(partial.errors?.length).toBeGreaterThan(0);
    expect(partial.errors!.some((e) => (e.path ?? []).includes("payments") || /payments/i.test(e.message))).toBe(true);
    // The rest of the graph is unaffected.
    expect(dataOf(await stack.request(`{ registrants(first: 5) { totalCount } }`, {}, admin)).registrants.totalCount).toBe(1);
    expect(codesOf(await stack.request(`{ registrants(first: 5) { totalCount } }`, {}, { token: "bad" }))).toEqual(["UNAUTHENTICATED"]);
  });
});
