/**
 * The HTTP client eligibility uses to read the registry through the graph: a service-role bearer
 * token, the bulk contract's variables, paging, and coded refusals surfaced as errors (the e2e test
 * runs it against the real registry behind the gateway).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createTokenVerifier } from "@g2p/kit";
import { resetEligibilityConfig } from "../src";
import { GraphRegistrySource, registrySource, resetRegistrySource, RegistryUnavailableError } from "../src/services/registry-source";
import { Population } from "../src/testing/population";

describe("GraphRegistrySource", () => {
  const population = new Population(25);
  const seen: { roles: string[]; sub: string | null; variables: Record<string, unknown> }[] = [];
  let refuse = false;
  let server: http.Server;
  let url: string;
  const verify = createTokenVerifier({ JWT_ISSUER: "g2p-graph-dev", JWT_AUDIENCE: "g2p-graph" });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", async () => {
        const { query, variables } = JSON.parse(body);
        const viewer = await verify(req.headers.authorization).catch(() => null);
        seen.push({ roles: [...(viewer?.roles ?? [])], sub: viewer?.sub ?? null, variables });
        res.setHeader("content-type", "application/json");
        if (refuse || !viewer?.can("personal_data:read") || !/registrantsForProcessing\(first: \$first, after: \$after, kind: \$kind\)/.test(query)) {
          res.end(JSON.stringify({ errors: [{ message: "Requires one of: personal_data:read", extensions: { code: "FORBIDDEN" } }], data: null }));
          return;
        }
        res.end(JSON.stringify({ data: { registrantsForProcessing: await population.page(variables) } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    delete process.env.GRAPH_URL;
    resetEligibilityConfig();
    resetRegistrySource();
    await new Promise((r) => server.close(r));
  });

  it("pages through the contract with a development service token signed from the config", async () => {
    process.env.GRAPH_URL = url;
    resetEligibilityConfig();
    resetRegistrySource();
    const source = registrySource();
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await source.page({ first: 10, after, kind: "GROUP" });
      ids.push(...page.nodes.map((n) => n.id));
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => population.id(i)));
    expect(seen.map((s) => s.variables)).toEqual([
      { first: 10, after: null, kind: "GROUP" },
      { first: 10, after: population.id(9), kind: "GROUP" },
      { first: 10, after: population.id(19), kind: "GROUP" },
    ]);
    expect(seen.every((s) => s.roles.join() === "service" && s.sub === "eligibility")).toBe(true);
  });

  it("surfaces a refusal or an unreachable graph as an error naming the code", async () => {
    refuse = true;
    const source = new GraphRegistrySource(url, async () => "not-a-token-the-server-checks");
    await expect(source.page({ first: 1, after: null, kind: null })).rejects.toThrow(/FORBIDDEN/);
    refuse = false;
    const down = new GraphRegistrySource("http://127.0.0.1:1/graphql", async () => "t");
    await expect(down.page({ first: 1, after: null, kind: null })).rejects.toBeInstanceOf(RegistryUnavailableError);
  });

  it("refuses to read the registry without GRAPH_URL", () => {
    delete process.env.GRAPH_URL;
    resetEligibilityConfig();
    resetRegistrySource();
    expect(() => registrySource()).toThrow(/GRAPH_URL is not set/);
  });
});
