"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.healthRoute = void 0;
exports.readyRoute = readyRoute;
const http_1 = require("@g2p/kit/http");
const healthRoute = (_req, res) => (0, http_1.sendJson)(res, 200, { status: "ok" });
exports.healthRoute = healthRoute;
async function probe(dispatcher, url, timeoutMs) {
    try {
        const target = new URL(url);
        const res = await dispatcher.request({
            origin: target.origin,
            path: target.pathname + target.search,
            method: "POST",
            // A JSON content type also satisfies Apollo Server's CSRF prevention on the subgraph.
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ query: "{ __typename }" }),
            signal: AbortSignal.timeout(timeoutMs),
        });
        const body = (await res.body.json().catch(() => undefined));
        if (res.statusCode !== 200)
            return `HTTP ${res.statusCode}`;
        return typeof body?.data?.__typename === "string" ? null : "no data.__typename in the answer";
    }
    catch (err) {
        if (err.name === "TimeoutError")
            return `no answer within ${timeoutMs} ms`;
        // The error code (ECONNREFUSED, ...) rather than the message, which names the host.
        return err.code ?? "unreachable";
    }
}
function readyRoute(opts) {
    return async (_req, res) => {
        const subgraphs = opts.subgraphs();
        if (!subgraphs) {
            (0, http_1.sendJson)(res, 503, { status: "unavailable", reason: "no supergraph loaded", failed: [] });
            return;
        }
        const results = await Promise.all(subgraphs.map(async (s) => ({ name: s.name, error: await probe(opts.dispatcher, s.url, opts.timeoutMs) })));
        // Names and reasons only: internal subgraph URLs stay out of a probe endpoint's answer.
        const failed = results.filter((r) => r.error !== null);
        if (failed.length > 0)
            (0, http_1.sendJson)(res, 503, { status: "unavailable", failed });
        else
            (0, http_1.sendJson)(res, 200, { status: "ready", subgraphs: subgraphs.map((s) => s.name) });
    };
}
//# sourceMappingURL=health.js.map