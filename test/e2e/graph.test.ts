import { codesOf, dataOf } from "@g2p/kit";
import { startStack, type Stack } from "../src";

const ADMIN = { role: "admin" as const, sub: "admin-1" };

/** Creates a registrant and gives it something in every block, all through the gateway. */
async function seedPerson(stack: Stack, n: number): Promise<string> {
  const { createRegistrant } = dataOf(
    await stack.request(`mutation ($i: CreateRegistrantInput!) { createRegistrant(input: $i) { id } }`, { i: { kind: "INDIVIDUAL", givenName: `Person ${n}` } }, { role: "registrar" }),
  );
  const id = createRegistrant.id as string;
  dataOf(await stack.request(`mutation ($r: ID) { createIdentity(registrantId: $r) { id } }`, { r: id }, { role: "registrar" }));
  return id;
}

describe("the unified graph", () => {
  let stack: Stack;
  let programId: string;
  const people: string[] = [];

  beforeAll(async () => {
    stack = await startStack();
    programId = dataOf(
      await stack.request(`mutation { createProgram(input: { name: "Cash for families", target: INDIVIDUAL, currency: "KES" }) { id } }`, {}, { role: "program_manager" }),
    ).createProgram.id;
    for (let i = 0; i < 12; i++) {
      const id = await seedPerson(stack, i);
      people.push(id);
      dataOf(await stack.request(`mutation ($p: ID!, $r: ID!) { enroll(programId: $p, registrantId: $r) { id } }`, { p: programId, r: id }, { role: "program_manager" }));
      dataOf(
        await stack.request(
          `mutation ($i: IssueVoucherInput!) { issueVoucher(input: $i) { voucher { id } } }`,
          { i: { instructionId: `v-${i}`, programId, registrantId: id, value: "15", currency: "KES" } },
          { role: "finance_officer" },
        ),
      );
    }
    dataOf(
      await stack.request(
        `mutation ($i: CreateDisbursementBatchInput!) { createDisbursementBatch(input: $i) { id } }`,
        { i: { clientCorrelationId: "cycle-1", currency: "KES", payments: people.map((registrantId) => ({ registrantId, amount: "1250.50" })) } },
        { role: "finance_officer" },
      ),
    );
  });
  afterAll(() => stack?.stop());

  it("answers one query spanning all five subgraphs", async () => {
    const { registrant } = dataOf(
      await stack.request(
        /* GraphQL */ `
          query ($id: ID!) {
            registrant(id: $id) {
              id kind givenName
              identity { status token }
              enrollments { state program { name currency } }
              payments { amount currency status }
              vouchers { serialNumber value status }
            }
          }
        `,
        { id: people[0] },
        ADMIN,
      ),
    );
    expect(registrant).toMatchObject({
      id: people[0],
      kind: "INDIVIDUAL",
      givenName: "Person 0",
      identity: { status: "ACTIVATED" },
      enrollments: [{ state: "ENROLLED", program: { name: "Cash for families", currency: "KES" } }],
      payments: [{ amount: "1250.50", currency: "KES", status: "PENDING" }],
      vouchers: [{ value: "15.00", status: "INACTIVE" }],
    });
    expect(registrant.identity.token).toMatch(/^\d{36}$/);
  });

  it("keeps SQL per subgraph constant whatever the page size (no N+1 across subgraphs)", async () => {
    const query = /* GraphQL */ `
      query ($first: Int!) {
        registrants(first: $first) {
          nodes { id identity { status } enrollments { state program { name } } payments { amount } vouchers { value } }
        }
      }
    `;
    const countsFor = async (first: number) => {
      stack.resetSql();
      const data = dataOf(await stack.request(query, { first }, ADMIN));
      expect(data.registrants.nodes).toHaveLength(first);
      return stack.sqlCounts();
    };
    const small = await countsFor(2);
    const large = await countsFor(12);
    expect(large).toEqual(small);
    expect(large.identity).toBe(1);
    expect(large.payments).toBe(1);
    expect(large.vouchers).toBe(1);
  });

  it("lets each subgraph enforce its own rules behind the gateway", async () => {
    const asPartner = await stack.request(`query ($id: ID!) { registrant(id: $id) { kind givenName payments { amount } } }`, { id: people[1] }, { role: "partner" });
    expect(asPartner.data.registrant).toMatchObject({ kind: "INDIVIDUAL", givenName: null, payments: [{ amount: "1250.50" }] });
    expect(codesOf(asPartner)).toEqual(["FORBIDDEN"]);
    const anonymous = await stack.request(`{ registrants(first: 1) { totalCount } }`);
    expect(codesOf(anonymous)).toEqual(["UNAUTHENTICATED"]);
    const merchant = await stack.request(`query ($id: ID!) { registrant(id: $id) { id } }`, { id: people[1] }, { role: "merchant" });
    expect(codesOf(merchant)).toEqual(["FORBIDDEN"]);
  });
});
