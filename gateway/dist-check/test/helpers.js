"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.baseOf = exports.FED = void 0;
exports.startSubgraph = startSubgraph;
exports.compose = compose;
exports.tempDir = tempDir;
exports.gatewayFor = gatewayFor;
exports.gql = gql;
exports.waitFor = waitFor;
/**
 * Small in-test subgraphs (plain @apollo/subgraph + Apollo Server on kit's http bridge, port 0),
 * composition helpers and an HTTP helper for talking to the gateway.
 */
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const composition_1 = require("@apollo/composition");
const server_1 = require("@apollo/server");
const disabled_1 = require("@apollo/server/plugin/disabled");
const subgraph_1 = require("@apollo/subgraph");
const http_1 = require("@g2p/kit/http");
const graphql_1 = require("graphql");
const src_1 = require("../src");
exports.FED = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])`;
async function startSubgraph(name, sdl, resolvers) {
    const fullSdl = `${exports.FED}\n${sdl}`;
    const apollo = new server_1.ApolloServer({
        schema: (0, subgraph_1.buildSubgraphSchema)({ typeDefs: (0, graphql_1.parse)(fullSdl), resolvers }),
        // A careless subgraph: stack traces and raw messages, so the gateway's masking is what is tested.
        includeStacktraceInErrorResponses: true,
        plugins: [(0, disabled_1.ApolloServerPluginInlineTraceDisabled)()],
    });
    await apollo.start();
    const seen = [];
    const http = await (0, http_1.startHttpServer)({
        apollo,
        context: async (req) => {
            seen.push(req.headers);
            return { headers: req.headers };
        },
    }, { host: "127.0.0.1", port: 0 });
    let stopped = false;
    return {
        name,
        url: http.url,
        sdl: fullSdl,
        seen,
        async stop() {
            if (stopped)
                return;
            stopped = true;
            await http.close(100);
            await apollo.stop();
        },
    };
}
function compose(subgraphs) {
    const result = (0, composition_1.composeServices)(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: (0, graphql_1.parse)(s.sdl) })));
    if (result.errors)
        throw new Error(result.errors.map((e) => e.message).join("\n"));
    return result.supergraphSdl;
}
function tempDir() {
    return (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), "g2p-gateway-"));
}
/** Quiet test gateway on port 0. `env` is merged over a test default environment. */
function gatewayFor(opts) {
    return (0, src_1.startGateway)({
        port: 0,
        host: "127.0.0.1",
        ...opts,
        env: { NODE_ENV: "test", LOG_LEVEL: process.env.GATEWAY_TEST_LOG_LEVEL ?? "silent", ...opts.env },
    });
}
async function gql(url, query, opts = {}) {
    const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...opts.headers },
        body: JSON.stringify({ query, variables: opts.variables, operationName: opts.operationName }),
    });
    const text = await res.text();
    let body = {};
    try {
        body = JSON.parse(text);
    }
    catch {
        // not JSON (e.g. a 404 page): leave body empty, the text is still there
    }
    return { status: res.status, headers: res.headers, text, body };
}
/** Base URL of the server (without /graphql), for /health, /ready, /metrics. */
const baseOf = (graphqlUrl) => graphqlUrl.replace(/\/graphql$/, "");
exports.baseOf = baseOf;
async function waitFor(check, timeoutMs = 8_000, what = "condition") {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await check();
        if (value)
            return value;
        if (Date.now() > deadline)
            throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
    }
}
//# sourceMappingURL=helpers.js.map