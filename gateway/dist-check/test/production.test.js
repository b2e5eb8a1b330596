"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
const fixtures_1 = require("./fixtures");
const helpers_1 = require("./helpers");
jest.setTimeout(20_000);
let accounts;
let reviews;
let gw;
beforeAll(async () => {
    accounts = await (0, fixtures_1.startAccounts)();
    reviews = await (0, fixtures_1.startReviews)();
    gw = await (0, helpers_1.gatewayFor)({
        supergraphSdl: (0, helpers_1.compose)([accounts, reviews]),
        // Production refuses the development secret; the key set is fetched only when a token arrives.
        env: { NODE_ENV: "production", JWKS_URL: "http://127.0.0.1:9/.well-known/jwks.json" },
    });
});
afterAll(async () => {
    await gw?.stop();
    await accounts?.stop();
    await reviews?.stop();
});
test("a subgraph's unexpected error is masked, with no stack trace", async () => {
    const res = await (0, helpers_1.gql)(gw.url, "{ hello boom }");
    expect(res.body.data).toEqual({ hello: "hi", boom: null });
    expect(res.body.errors?.[0]).toMatchObject({ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } });
    expect(res.text).not.toContain("secret internal detail");
    expect(res.text).not.toContain("stacktrace");
});
test("a subgraph's error with a known code keeps its message but loses the stack trace", async () => {
    const res = await (0, helpers_1.gql)(gw.url, "{ forbidden }");
    expect(res.body.errors?.[0]).toMatchObject({ message: "not for you", extensions: { code: "FORBIDDEN" } });
    expect(res.text).not.toContain("stacktrace");
});
test("introspection is off", async () => {
    const res = await (0, helpers_1.gql)(gw.url, "{ __schema { types { name } } }");
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(res.body.data).toBeUndefined();
});
test("field suggestions are blocked", async () => {
    const res = await (0, helpers_1.gql)(gw.url, "{ helo }");
    expect(res.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(res.text).not.toContain("hello");
    expect(res.text).not.toContain("stacktrace");
});
test("a limit breach does not reveal the limit", async () => {
    let selection = "id";
    for (let i = 0; i < 12; i++)
        selection = `child { ${selection} }`;
    const res = await (0, helpers_1.gql)(gw.url, `{ deep { ${selection} } }`);
    expect(res.status).toBe(400);
    // armor prefixes its messages with "Syntax Error: ".
    expect(res.body.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/Query validation error\.$/),
        extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
    });
    expect(res.text).not.toMatch(/limit of \d+/);
});
test("a subgraph outage keeps its code but names no host", async () => {
    await reviews.stop();
    const res = await (0, helpers_1.gql)(gw.url, "{ topReviews { body } }");
    expect(res.body.errors?.[0]).toMatchObject({ message: 'Subgraph "reviews" is unavailable', extensions: { code: "SUBGRAPH_UNAVAILABLE" } });
    expect(res.text).not.toContain("127.0.0.1");
    expect(res.text).not.toContain("stacktrace");
});
//# sourceMappingURL=production.test.js.map