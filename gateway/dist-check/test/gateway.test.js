"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The gateway over two live subgraphs: federation across them, auth, header propagation, limits,
 * the HTTP routes and metrics.
 */
const auth_1 = require("@g2p/kit/auth");
const fixtures_1 = require("./fixtures");
const helpers_1 = require("./helpers");
jest.setTimeout(20_000);
let accounts;
let reviews;
let gw;
beforeAll(async () => {
    accounts = await (0, fixtures_1.startAccounts)();
    reviews = await (0, fixtures_1.startReviews)();
    gw = await (0, helpers_1.gatewayFor)({ supergraphSdl: (0, helpers_1.compose)([accounts, reviews]), env: { BODY_LIMIT_BYTES: "8192" } });
});
afterAll(async () => {
    await gw?.stop();
    await accounts?.stop();
    await reviews?.stop();
});
test("a query across two subgraphs answers", async () => {
    const res = await (0, helpers_1.gql)(gw.url, "query Me { me { id name reviews { body } } }");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { me: { id: "u1", name: "Ada", reviews: [{ body: "great u1" }] } } });
});
test("a mutation is planned and answered", async () => {
    const res = await (0, helpers_1.gql)(gw.url, 'mutation { rename(name: "Grace") { name reviews { body } } }');
    expect(res.body).toEqual({ data: { rename: { name: "Grace", reviews: [{ body: "great u1" }] } } });
});
describe("auth", () => {
    test("anonymous requests go through; subgraphs decide", async () => {
        const res = await (0, helpers_1.gql)(gw.url, "{ whoami }");
        expect(res.body).toEqual({ data: { whoami: "anonymous" } });
    });
    test("a valid token is forwarded unchanged to the subgraphs", async () => {
        const token = await (0, auth_1.signDevToken)({ sub: "user-1", roles: ["admin"] });
        const res = await (0, helpers_1.gql)(gw.url, "{ whoami me { reviews { body } } }", { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        expect(res.body.data?.whoami).toBe(`Bearer ${token}`);
        // The entity fetch to the second subgraph carried it too.
        expect(reviews.seen.at(-1)?.authorization).toBe(`Bearer ${token}`);
    });
    test.each([
        ["a malformed token", "Bearer not-a-jwt"],
        ["a header without the Bearer scheme", "Basic dXNlcjpwYXNz"],
    ])("%s is rejected with 401 UNAUTHENTICATED", async (_what, authorization) => {
        const res = await (0, helpers_1.gql)(gw.url, "{ hello }", { headers: { authorization } });
        expect(res.status).toBe(401);
        expect(res.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
        expect(res.body.data).toBeUndefined();
    });
    test("a token signed with another key is rejected", async () => {
        const token = await (0, auth_1.signDevToken)({ sub: "user-1", roles: ["admin"] }, { secret: "some-other-secret-of-enough-length" });
        const res = await (0, helpers_1.gql)(gw.url, "{ hello }", { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(401);
        expect(res.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    });
    test("an expired token is rejected", async () => {
        const token = await (0, auth_1.signDevToken)({ sub: "user-1", roles: ["admin"] }, { expiresIn: Math.floor(Date.now() / 1000) - 60 });
        const res = await (0, helpers_1.gql)(gw.url, "{ hello }", { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(401);
        expect(res.body.errors?.[0]).toMatchObject({ message: "Token expired", extensions: { code: "UNAUTHENTICATED" } });
    });
});
describe("x-request-id", () => {
    test("an incoming id is forwarded to subgraphs and echoed", async () => {
        const res = await (0, helpers_1.gql)(gw.url, "{ hello }", { headers: { "x-request-id": "req-123" } });
        expect(res.headers.get("x-request-id")).toBe("req-123");
        expect(accounts.seen.at(-1)?.["x-request-id"]).toBe("req-123");
    });
    test("one is generated when missing", async () => {
        const res = await (0, helpers_1.gql)(gw.url, "{ hello }");
        const id = res.headers.get("x-request-id");
        expect(id).toMatch(/^[0-9a-f-]{36}$/);
        expect(accounts.seen.at(-1)?.["x-request-id"]).toBe(id);
    });
});
describe("limits", () => {
    const nested = (depth) => {
        let selection = "id";
        for (let i = 0; i < depth; i++)
            selection = `child { ${selection} }`;
        return `{ deep { ${selection} } }`;
    };
    test("a query within the depth limit answers", async () => {
        const res = await (0, helpers_1.gql)(gw.url, nested(5));
        expect(res.status).toBe(200);
        expect(res.body.errors).toBeUndefined();
    });
    test("a depth-limit breach is rejected with GRAPHQL_VALIDATION_FAILED (400)", async () => {
        const res = await (0, helpers_1.gql)(gw.url, nested(12));
        expect(res.status).toBe(400);
        expect(res.body.errors?.map((e) => e.extensions?.code)).toContain("GRAPHQL_VALIDATION_FAILED");
        expect(res.text).toContain("depth limit");
    });
    test("an alias-limit breach is rejected with GRAPHQL_VALIDATION_FAILED (400)", async () => {
        const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: hello`).join(" ");
        const res = await (0, helpers_1.gql)(gw.url, `{ ${aliases} }`);
        expect(res.status).toBe(400);
        expect(res.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
        expect(res.text).toContain("Aliases limit");
    });
    test("a token-limit breach is rejected with GRAPHQL_PARSE_FAILED (400), and so is a syntax error", async () => {
        const res = await (0, helpers_1.gql)(gw.url, `{ ${"x ".repeat(2_100)} }`);
        expect(res.status).toBe(400);
        expect(res.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
        const syntax = await (0, helpers_1.gql)(gw.url, "{ hello");
        expect(syntax.status).toBe(400);
        expect(syntax.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
    });
    test("a body over the limit gets 413", async () => {
        const res = await (0, helpers_1.gql)(gw.url, `{ hello } # ${"x".repeat(10_000)}`);
        expect(res.status).toBe(413);
        expect(res.body.errors?.[0]?.extensions?.code).toBe("PAYLOAD_TOO_LARGE");
    });
    test("CSRF prevention blocks a simple GET without a preflight header", async () => {
        const res = await fetch(`${gw.url}?query=${encodeURIComponent("{ hello }")}`);
        expect(res.status).toBe(400);
        const ok = await fetch(`${gw.url}?query=${encodeURIComponent("{ hello }")}`, { headers: { "apollo-require-preflight": "1" } });
        expect(ok.status).toBe(200);
    });
    test("field suggestions are shown outside production", async () => {
        const res = await (0, helpers_1.gql)(gw.url, "{ helo }");
        expect(res.text).toContain("Did you mean");
    });
    test("introspection is allowed outside production", async () => {
        const res = await (0, helpers_1.gql)(gw.url, "{ __schema { queryType { name } } }");
        expect(res.body.data).toEqual({ __schema: { queryType: { name: "Query" } } });
    });
});
describe("routes", () => {
    test("/health", async () => {
        const res = await fetch(`${(0, helpers_1.baseOf)(gw.url)}/health`);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ status: "ok" });
    });
    test("/ready lists the subgraphs when all answer", async () => {
        const res = await fetch(`${(0, helpers_1.baseOf)(gw.url)}/ready`);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ status: "ready", subgraphs: ["accounts", "reviews"] });
    });
    test("/metrics exposes the request, subgraph and default metrics", async () => {
        await (0, helpers_1.gql)(gw.url, "query Me { me { reviews { body } } }");
        const res = await fetch(`${(0, helpers_1.baseOf)(gw.url)}/metrics`);
        expect(res.status).toBe(200);
        const text = await res.text();
        expect(text).toContain('g2p_gateway_http_request_duration_seconds_bucket{le="0.005",operation="Me",status="200"}');
        expect(text).toMatch(/g2p_gateway_subgraph_request_duration_seconds_count\{subgraph="reviews",outcome="ok"\} \d+/);
        expect(text).toContain("g2p_gateway_subgraph_errors_total");
        expect(text).toContain("process_resident_memory_bytes");
    });
    test("unknown paths are 404", async () => {
        expect((await fetch(`${(0, helpers_1.baseOf)(gw.url)}/nope`)).status).toBe(404);
    });
});
//# sourceMappingURL=gateway.test.js.map