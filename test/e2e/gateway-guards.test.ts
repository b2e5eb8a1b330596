import { codesOf, dataOf, graphqlRequest, signDevToken } from "@g2p/kit";
import { startStack, type Stack } from "../src";

describe("gateway guards on the real graph", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ gatewayEnv: { MAX_DEPTH: "4" } });
  });
  afterAll(() => stack?.stop());

  it("rejects a bad token and an expired token with UNAUTHENTICATED, at the gateway and at a subgraph", async () => {
    const query = `{ registrants(first: 1) { totalCount } }`;
    const expired = await signDevToken({ sub: "x", roles: ["admin"] }, { expiresIn: Math.floor(Date.now() / 1000) - 10 });
    const forged = await signDevToken({ sub: "x", roles: ["admin"] }, { secret: "an-attacker-secret-of-enough-length" });
    for (const token of [expired, forged, "garbage"]) {
      const viaGateway = await stack.request(query, {}, { token });
      expect(viaGateway.status).toBe(401);
      expect(codesOf(viaGateway)).toEqual(["UNAUTHENTICATED"]);
      // Reached directly, the subgraph is no weaker.
      const direct = await graphqlRequest(stack.subgraphs.registry!.url, query, {}, { token });
      expect(codesOf(direct)).toEqual(["UNAUTHENTICATED"]);
    }
    expect(dataOf(await stack.request(query, {}, { role: "auditor" })).registrants.totalCount).toBe(0);
  });

  it("rejects a query deeper than the limit, with a code, before any subgraph is called", async () => {
    // The stack's gateway runs with MAX_DEPTH=4: registrants > nodes > enrollments > program > id is 5.
    const ok = `{ registrants(first: 1) { nodes { enrollments { state } } } }`;
    expect(dataOf(await stack.request(ok, {}, { role: "admin" }))).toBeTruthy();
    stack.resetSql();
    const breach = await stack.request(`{ registrants(first: 1) { nodes { enrollments { program { id } } } } }`, {}, { role: "admin" });
    expect(breach.status).toBe(400);
    expect(codesOf(breach)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(breach.errors![0]!.message).toMatch(/depth/i);
    expect(Object.values(stack.sqlCounts()).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it("rejects too many aliases", async () => {
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: registrants(first: 1) { totalCount }`).join(" ");
    const breach = await stack.request(`{ ${aliases} }`, {}, { role: "admin" });
    expect(codesOf(breach)[0]).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(breach.errors![0]!.message).toMatch(/alias/i);
  });
});
