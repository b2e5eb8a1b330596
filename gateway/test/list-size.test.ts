/**
 * The result-size limit counts page sizes, from literals and from variables, and refuses an
 * oversized operation before any subgraph is called.
 */
import { parse, type OperationDefinitionNode } from "graphql";
import type { RunningGateway } from "../src";
import { estimateNodes } from "../src/list-size";
import { gatewayFor, gql, compose, startSubgraph, type TestSubgraph } from "./helpers";

function estimate(query: string, variables?: Record<string, unknown>): number {
  const doc = parse(query);
  const op = doc.definitions.find((d) => d.kind === "OperationDefinition") as OperationDefinitionNode;
  return estimateNodes(doc, op, variables, 50);
}

describe("estimateNodes", () => {
  test("every field counts one; a page multiplies its sub-selection", () => {
    expect(estimate("{ a b }")).toBe(2);
    // people (1) + 10 × (nodes (1) + its 2 leaves): `nodes` has no page argument, so it counts once
    expect(estimate("{ people(first: 10) { nodes { id name } } }")).toBe(1 + 10 * (1 + 2));
  });

  test("nested pages multiply", () => {
    expect(estimate("{ people(first: 500) { nodes { id payments(first: 500) { nodes { amount } } } } }")).toBe(
      1 + 500 * (1 + 1 + 1 + 500 * (1 + 1)),
    );
  });

  test("a page size given as a variable is read from the request's variables", () => {
    const q = "query Q($n: Int) { people(first: $n) { nodes { id } } }";
    expect(estimate(q, { n: 400 })).toBe(1 + 400 * 2);
    // absent or null: the subgraph's default page size
    expect(estimate(q, {})).toBe(1 + 50 * 2);
    expect(estimate(q, { n: null })).toBe(1 + 50 * 2);
  });

  test("fragments and inline fragments are expanded, `last` counts like `first`", () => {
    const q = `query { people(last: 20) { ...P ... on PeopleConnection { total } } } fragment P on PeopleConnection { nodes { id name } }`;
    expect(estimate(q)).toBe(1 + 20 * (1 + 2 + 1));
  });
});

describe("the gateway refuses an operation over MAX_RESULT_NODES", () => {
  let people: TestSubgraph;
  let gw: RunningGateway;

  beforeAll(async () => {
    people = await startSubgraph(
      "people",
      `type Query { people(first: Int): [Person!]! }
       type Person @key(fields: "id") { id: ID! friends(first: Int): [Person!]! }`,
      {
        Query: { people: (_: unknown, a: { first?: number }) => Array.from({ length: a.first ?? 3 }, (_x, i) => ({ id: `p${i}` })) },
        Person: { friends: () => [] },
      },
    );
    gw = await gatewayFor({ supergraphSdl: compose([people]), env: { MAX_RESULT_NODES: "1000" } });
  });

  afterAll(async () => {
    await gw?.stop();
    await people?.stop();
  });

  test("within the limit it answers", async () => {
    const res = await gql(gw.url, "query Q($n: Int) { people(first: $n) { id } }", { variables: { n: 20 } });
    expect(res.status).toBe(200);
    expect((res.body.data?.people as unknown[]).length).toBe(20);
  });

  test("over it, through a variable, it is GRAPHQL_VALIDATION_FAILED (400) and no subgraph is called", async () => {
    const calls = people.seen.length;
    const res = await gql(gw.url, "query Q($n: Int, $m: Int) { people(first: $n) { id friends(first: $m) { id } } }", {
      variables: { n: 100, m: 100 },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(res.body.errors?.[0]?.message).toContain("too large");
    expect(res.body.data).toBeUndefined();
    expect(people.seen.length).toBe(calls);
  });
});
