"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
const src_1 = require("../src");
const metrics_1 = require("../src/metrics");
const logger_1 = require("../src/logger");
const fixtures_1 = require("./fixtures");
const helpers_1 = require("./helpers");
jest.setTimeout(20_000);
describe("a subgraph going down", () => {
    let accounts;
    let reviews;
    let gw;
    beforeAll(async () => {
        accounts = await (0, fixtures_1.startAccounts)();
        reviews = await (0, fixtures_1.startReviews)();
        gw = await (0, helpers_1.gatewayFor)({ supergraphSdl: (0, helpers_1.compose)([accounts, reviews]) });
    });
    afterAll(async () => {
        await gw?.stop();
        await accounts?.stop();
        await reviews?.stop();
    });
    test("gives partial data plus errors, and the gateway keeps serving", async () => {
        const before = await (0, helpers_1.gql)(gw.url, "{ me { name reviews { body } } }");
        expect(before.body).toEqual({ data: { me: { name: "Ada", reviews: [{ body: "great u1" }] } } });
        await reviews.stop();
        const res = await (0, helpers_1.gql)(gw.url, "{ me { name reviews { body } } }");
        expect(res.status).toBe(200);
        expect(res.body.data).toEqual({ me: { name: "Ada", reviews: null } });
        expect(res.body.errors?.[0]).toMatchObject({
            message: 'Subgraph "reviews" is unavailable',
            extensions: { code: "SUBGRAPH_UNAVAILABLE", serviceName: "reviews" },
        });
        const rootOnDeadSubgraph = await (0, helpers_1.gql)(gw.url, "{ hello topReviews { body } }");
        expect(rootOnDeadSubgraph.body.data).toEqual({ hello: "hi", topReviews: null });
        expect(rootOnDeadSubgraph.body.errors?.[0]?.extensions?.code).toBe("SUBGRAPH_UNAVAILABLE");
        const stillServing = await (0, helpers_1.gql)(gw.url, "{ me { name } }");
        expect(stillServing.body).toEqual({ data: { me: { name: "Ada" } } });
        const health = await fetch(`${(0, helpers_1.baseOf)(gw.url)}/health`);
        expect(health.status).toBe(200);
        const ready = await fetch(`${(0, helpers_1.baseOf)(gw.url)}/ready`);
        expect(ready.status).toBe(503);
        const readyBody = (await ready.json());
        expect(readyBody.failed).toEqual([{ name: "reviews", error: "ECONNREFUSED" }]);
        const metrics = await (await fetch(`${(0, helpers_1.baseOf)(gw.url)}/metrics`)).text();
        expect(metrics).toMatch(/g2p_gateway_subgraph_errors_total\{subgraph="reviews",kind="network"\} [1-9]/);
    });
});
describe("a slow subgraph", () => {
    let accounts;
    let gw;
    beforeAll(async () => {
        accounts = await (0, fixtures_1.startAccounts)({ slowMs: 1_500 });
        gw = await (0, helpers_1.gatewayFor)({ supergraphSdl: (0, helpers_1.compose)([accounts]), env: { SUBGRAPH_TIMEOUT_MS: "200" } });
    });
    afterAll(async () => {
        await gw?.stop();
        await accounts?.stop();
    });
    test("times out with SUBGRAPH_TIMEOUT", async () => {
        const started = Date.now();
        const res = await (0, helpers_1.gql)(gw.url, "{ slow }");
        expect(Date.now() - started).toBeLessThan(1_400); // not retried after a timeout
        expect(res.body.data).toEqual({ slow: null });
        expect(res.body.errors?.[0]?.extensions?.code).toBe("SUBGRAPH_TIMEOUT");
    });
});
describe("retries", () => {
    /** A dispatcher whose first `failures` calls fail like a refused connection. */
    function flakyDispatcher(failures) {
        const calls = [];
        const dispatcher = {
            async request(opts) {
                calls.push(String(opts.body));
                if (calls.length <= failures)
                    throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
                const json = JSON.stringify({ data: { ok: true } });
                return { statusCode: 200, headers: { "content-type": "application/json" }, body: { text: async () => json } };
            },
        };
        return { calls, dispatcher: dispatcher };
    }
    function dataSource(dispatcher, retries = 1) {
        return new src_1.SubgraphDataSource({
            name: "flaky",
            url: "http://127.0.0.1:9/graphql",
            dispatcher,
            timeoutMs: 1_000,
            retries,
            metrics: (0, metrics_1.createMetrics)(),
            logger: (0, logger_1.createLogger)("silent"),
        });
    }
    /** What the query planner hands a data source for one fetch. */
    function incoming(query) {
        const context = { requestId: "r1", authorization: "Bearer t" };
        return {
            kind: "incoming operation",
            request: { query, variables: {} },
            incomingRequestContext: { context },
            context,
        };
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
        const seen = [];
        const dispatcher = {
            async request(opts) {
                seen.push(opts.headers);
                return { statusCode: 200, headers: { "content-type": "application/json" }, body: { text: async () => '{"data":{"ok":true}}' } };
            },
        };
        await dataSource(dispatcher).process(incoming("{ ok }"));
        expect(seen[0]).toMatchObject({ authorization: "Bearer t", "x-request-id": "r1" });
    });
});
//# sourceMappingURL=resilience.test.js.map