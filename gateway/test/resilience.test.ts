/**
 * Subgraph failures: an outage gives partial data plus errors and never takes the gateway down;
 * slow subgraphs time out; only queries are retried, and only after a network error.
 */
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { Dispatcher } from "undici";
import { SubgraphDataSource, type GatewayContext, type RunningGateway } from "../src";
import { createMetrics } from "../src/metrics";
import { createLogger } from "../src/logger";
import { startAccounts, startReviews } from "./fixtures";
import { baseOf, compose, fakeDispatcher, type FakeAnswer, gatewayFor, gql, type TestSubgraph } from "./helpers";

jest.setTimeout(20_000);

describe("a subgraph going down", () => {
  let accounts: TestSubgraph;
  let reviews: TestSubgraph;
  let gw: RunningGateway;

  beforeAll(async () => {
    accounts = await startAccounts();
    reviews = await startReviews();
    gw = await gatewayFor({ supergraphSdl: compose([accounts, reviews]) });
  });
  afterAll(async () => {
    await gw?.stop();
    await accounts?.stop();
    await reviews?.stop();
  });

  test("gives partial data plus errors, and the gateway keeps serving", async () => {
    const before = await gql(gw.url, "{ me { name reviews { body } } }");
    expect(before.body).toEqual({ data: { me: { name: "Ada", reviews: [{ body: "great u1" }] } } });

    await reviews.stop();

    const res = await gql(gw.url, "{ me { name reviews { body } } }");
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ me: { name: "Ada", reviews: null } });
    expect(res.body.errors?.[0]).toMatchObject({
      message: 'Subgraph "reviews" is unavailable',
      extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: "reviews" },
    });

    const rootOnDeadSubgraph = await gql(gw.url, "{ hello topReviews { body } }");
    expect(rootOnDeadSubgraph.body.data).toEqual({ hello: "hi", topReviews: null });
    expect(rootOnDeadSubgraph.body.errors?.[0]?.extensions?.code).toBe("SUBGRAPH_UNAVAILABLE");

    const stillServing = await gql(gw.url, "{ me { name } }");
    expect(stillServing.body).toEqual({ data: { me: { name: "Ada" } } });

    const health = await fetch(`${baseOf(gw.url)}/health`);
    expect(health.status).toBe(200);

    const ready = await fetch(`${baseOf(gw.url)}/ready`);
    expect(ready.status).toBe(503);
    const readyBody = (await ready.json()) as { failed: Array<{ name: string; error: string }> };
    expect(readyBody.failed).toEqual([{ name: "reviews", error: "ECONNREFUSED" }]);

    const metrics = await (await fetch(`${baseOf(gw.url)}/metrics`)).text();
    expect(metrics).toMatch(/g2p_gateway_subgraph_errors_total\{subgraph="reviews",kind="network"\} [1-9]/);
  });
});

describe("a slow subgraph", () => {
  let accounts: TestSubgraph;
  let gw: RunningGateway;

  beforeAll(async () => {
    accounts = await startAccounts({ slowMs: 1_500 });
    gw = await gatewayFor({ supergraphSdl: compose([accounts]), env: { SUBGRAPH_TIMEOUT_MS: "200" } });
  });
  afterAll(async () => {
    await gw?.stop();
    await accounts?.stop();
  });

  test("times out with SUBGRAPH_TIMEOUT", async () => {
    const started = Date.now();
    const res = await gql(gw.url, "{ slow }");
    expect(Date.now() - started).toBeLessThan(1_400); // not retried after a timeout
    expect(res.body.data).toEqual({ slow: null });
    expect(res.body.errors?.[0]?.extensions?.code).toBe("SUBGRAPH_TIMEOUT");
  });
});

describe("retries", () => {
  /** A dispatcher whose first `failures` calls fail like a refused connection. */
  function flakyDispatcher(failures: number) {
    const calls: string[] = [];
    const dispatcher = {
      async request(opts: { body?: string }) {
        calls.push(String(opts.body));
        if (calls.length <= failures) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
        const json = JSON.stringify({ data: { ok: true } });
        return { statusCode: 200, headers: { "content-type": "application/json" }, body: { text: async () => json } };
      },
    };
    return { calls, dispatcher: fakeDispatcher((opts) => dispatcher.request(opts) as Promise<FakeAnswer>) };
  }

  function dataSource(dispatcher: Dispatcher, retries = 1) {
    return new SubgraphDataSource({
      name: "flaky",
      url: "http://127.0.0.1:9/graphql",
      dispatcher,
      timeoutMs: 1_000,
      retries,
      metrics: createMetrics(),
      logger: createLogger("silent"),
    });
  }

  /** What the query planner hands a data source for one fetch. */
  function incoming(query: string): GraphQLDataSourceProcessOptions<GatewayContext> {
    const context: GatewayContext = { requestId: "r1", authorization: "Bearer t" };
    return {
      kind: "incoming operation",
      request: { query, variables: {} },
      incomingRequestContext: { context },
      context,
    } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
  }

  test("a query is retried after a network error", async () => {
    const { calls, dispatcher } = flakyDispatcher(1);
    const res = await dataSource(dispatcher).process(incoming("{ ok }"));
    expect(res.data).toEqual({ ok: true });
    expect(calls).toHaveLength(2);
  });

  test("retries are bounded", async () => {
    const { calls, dispatcher } = flakyDispatcher(5);
    await expect(dataSource(dispatcher, 2).process(incoming("query Q { ok }"))).rejects.toMatchObject({
      extensions: { code: "SUBGRAPH_UNAVAILABLE" },
    });
    expect(calls).toHaveLength(3);
  });

  test("a mutation is never retried", async () => {
    const { calls, dispatcher } = flakyDispatcher(1);
    await expect(dataSource(dispatcher, 2).process(incoming("mutation { ok }"))).rejects.toMatchObject({
      extensions: { code: "SUBGRAPH_UNAVAILABLE" },
    });
    expect(calls).toHaveLength(1);
  });

  test("the caller's token and request id are forwarded", async () => {
    const seen: Array<Record<string, string>> = [];
    const fake = {
      async request(opts: { headers: Record<string, string> }) {
        seen.push(opts.headers);
        return { statusCode: 200, headers: { "content-type": "application/json" }, body: { text: async () => '{"data":{"ok":true}}' } };
      },
    };
    const dispatcher = fakeDispatcher((opts) => fake.request(opts));
    await dataSource(dispatcher).process(incoming("{ ok }"));
    expect(seen[0]).toMatchObject({ authorization: "Bearer t", "x-request-id": "r1" });
  });
});
