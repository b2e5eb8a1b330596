/**
 * N+1 guard (issue 9): for every list or entity field on `Registrant` that another subgraph adds
 * (the fields of schema/supergraph.graphql whose @join__field names a graph other than REGISTRY),
 * and for the registry's own list fields, the SQL statements each subgraph runs for one request
 * must not grow with the page size: a page of 5 and a page of 50 cost the same per subgraph.
 *
 * The field list is read from the committed supergraph, so a new cross-subgraph field on
 * Registrant is guarded without editing this file (it gets the selection `{ __typename }`).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { dataOf } from "@g2p/kit";
import { buildASTSchema, getNamedType, isCompositeType, isListType, isNonNullType, parse, type GraphQLField } from "graphql";
import { REPO_ROOT, startStack, type Stack, type SubgraphName } from "../src";

const ADMIN = { role: "admin" as const, sub: "n-plus-one" };
const SMALL = 5;
const LARGE = 50;

/** Richer selections for fields whose nested objects we also want covered. */
const SELECTIONS: Record<string, string> = {
  enrollments: "{ state program { name } }",
  identity: "{ status token }",
  payments: "{ amount status }",
  vouchers: "{ value status }",
  members: "{ role individual { id } }",
  memberships: "{ role group { id } }",
};

const supergraph = readFileSync(path.join(REPO_ROOT, "schema", "supergraph.graphql"), "utf8");
const schema = buildASTSchema(parse(supergraph), { assumeValidSDL: true });

function ownerGraph(field: GraphQLField<unknown, unknown>): string | undefined {
  const join = field.astNode?.directives?.find((d) => d.name.value === "join__field");
  const graph = join?.arguments?.find((a) => a.name.value === "graph")?.value;
  return graph?.kind === "EnumValue" ? graph.value : undefined;
}

function isListField(field: GraphQLField<unknown, unknown>): boolean {
  const t = isNonNullType(field.type) ? field.type.ofType : field.type;
  return isListType(t);
}

const registrantFields = Object.values((schema.getType("Registrant") as any).getFields()) as GraphQLField<unknown, unknown>[];
/** Fields another subgraph adds to Registrant (lists and single entities alike: both go through `_entities`). */
const crossFields = registrantFields.filter((f) => ownerGraph(f) && ownerGraph(f) !== "REGISTRY").map((f) => f.name);
/** The registry's own list fields of Registrant (the same loaders discipline applies). */
const registryLists = registrantFields.filter((f) => ownerGraph(f) === "REGISTRY" && isListField(f) && isCompositeType(getNamedType(f.type))).map((f) => f.name);

function selectionOf(name: string): string {
  const field = registrantFields.find((f) => f.name === name)!;
  if (SELECTIONS[name]) return `${name} ${SELECTIONS[name]}`;
  return isCompositeType(getNamedType(field.type)) ? `${name} { __typename }` : name;
}

describe("SQL per request does not grow with the page size (no N+1)", () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
    const programId = dataOf(
      await stack.request(`mutation { createProgram(input: { name: "N+1 guard", target: INDIVIDUAL, currency: "KES" }) { id } }`, {}, { role: "program_manager" }),
    ).createProgram.id as string;
    const groupId = dataOf(
      await stack.request(`mutation { createRegistrant(input: { kind: GROUP, groupName: "N+1 household" }) { id } }`, {}, ADMIN),
    ).createRegistrant.id as string;
    const people: string[] = [];
    const seedOne = async (i: number) => {
      const id = dataOf(
        await stack.request(
          `mutation ($i: CreateRegistrantInput!) { createRegistrant(input: $i) { id } }`,
          { i: { kind: "INDIVIDUAL", givenName: `Person ${i}`, groupId, role: i === 0 ? "HEAD" : "MEMBER" } },
          ADMIN,
        ),
      ).createRegistrant.id as string;
      dataOf(await stack.request(`mutation ($r: ID) { createIdentity(registrantId: $r) { id } }`, { r: id }, ADMIN));
      dataOf(await stack.request(`mutation ($p: ID!, $r: ID!) { enroll(programId: $p, registrantId: $r) { id } }`, { p: programId, r: id }, ADMIN));
      dataOf(
        await stack.request(
          `mutation ($i: IssueVoucherInput!) { issueVoucher(input: $i) { voucher { id } } }`,
          { i: { instructionId: `n1-${i}`, programId, registrantId: id, value: "5", currency: "KES" } },
          ADMIN,
        ),
      );
      people.push(id);
    };
    // A few at a time: the machine is shared.
    for (let i = 0; i < LARGE + 5; i += 5) await Promise.all([0, 1, 2, 3, 4].map((k) => seedOne(i + k)));
    dataOf(
      await stack.request(
        `mutation ($i: CreateDisbursementBatchInput!) { createDisbursementBatch(input: $i) { id } }`,
        { i: { clientCorrelationId: "n-plus-one", currency: "KES", payments: people.map((registrantId) => ({ registrantId, amount: "10" })) } },
        ADMIN,
      ),
    );
  }, 240_000);
  afterAll(() => stack?.stop());

  it("finds the cross-subgraph fields in the supergraph", () => {
    expect(crossFields).toEqual(expect.arrayContaining(["enrollments", "identity", "idVerification", "payments", "vouchers"]));
    expect(registryLists).toEqual(expect.arrayContaining(["identifiers", "financialAddresses", "members", "memberships"]));
  });

  const countsFor = async (selection: string, first: number) => {
    const query = `query ($first: Int!) { registrants(first: $first, kind: INDIVIDUAL) { nodes { id ${selection} } } }`;
    stack.resetSql();
    const data = dataOf(await stack.request(query, { first }, ADMIN));
    expect(data.registrants.nodes).toHaveLength(first);
    return { counts: stack.sqlCounts(), nodes: data.registrants.nodes as any[] };
  };

  it.each([...crossFields, ...registryLists])("Registrant.%s: same SQL count per subgraph for 5 and 50 registrants", async (name) => {
    const selection = selectionOf(name);
    await countsFor(selection, SMALL); // warm-up: first-use statements (prepared plans, lazy metadata)
    const small = await countsFor(selection, SMALL);
    const large = await countsFor(selection, LARGE);
    const report = (Object.keys(large.counts) as SubgraphName[]).map((s) => `${s} ${small.counts[s]}→${large.counts[s]}`).join(", ");
    console.log(`Registrant.${name}: SQL statements per subgraph, page ${SMALL}→${LARGE}: ${report}`);
    expect(large.counts).toEqual(small.counts);
  });

  it("the seeded data is really there (the guard is not measuring empty answers)", async () => {
    const { nodes } = await countsFor(selectionOf("identity") + " " + selectionOf("enrollments") + " " + selectionOf("payments") + " " + selectionOf("vouchers") + " " + selectionOf("memberships"), LARGE);
    for (const n of nodes) {
      expect(n.identity?.status).toBe("ACTIVATED");
      expect(n.enrollments).toHaveLength(1);
      expect(n.payments).toHaveLength(1);
      expect(n.vouchers).toHaveLength(1);
      expect(n.memberships).toHaveLength(1);
    }
  });

  it("all cross-subgraph fields in one request: the same SQL count for 5 and 50", async () => {
    const selection = [...crossFields, ...registryLists].map(selectionOf).join(" ");
    await countsFor(selection, SMALL);
    const small = await countsFor(selection, SMALL);
    const large = await countsFor(selection, LARGE);
    console.log(`all fields: page ${SMALL} ${JSON.stringify(small.counts)}, page ${LARGE} ${JSON.stringify(large.counts)}`);
    expect(large.counts).toEqual(small.counts);
  });
});
