"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.createMetrics = createMetrics;
const prom_client_1 = require("prom-client");
/** Operation names come from clients: cap the label's cardinality so /metrics cannot be blown up. */
const MAX_OPERATION_NAMES = 500;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;
function createMetrics() {
    const registry = new prom_client_1.Registry();
    (0, prom_client_1.collectDefaultMetrics)({ register: registry });
    const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    const httpDuration = new prom_client_1.Histogram({
        name: "g2p_gateway_http_request_duration_seconds",
        help: "Latency of /graphql requests, by operation name and HTTP status",
        labelNames: ["operation", "status"],
        buckets,
        registers: [registry],
    });
    const subgraphDuration = new prom_client_1.Histogram({
        name: "g2p_gateway_subgraph_request_duration_seconds",
        help: "Latency of each HTTP call from the gateway to a subgraph",
        labelNames: ["subgraph", "outcome"],
        buckets,
        registers: [registry],
    });
    const subgraphErrors = new prom_client_1.Counter({
        name: "g2p_gateway_subgraph_errors_total",
        help: "Failed subgraph calls by kind: network, timeout, http (status >= 400), graphql (errors in the response)",
        labelNames: ["subgraph", "kind"],
        registers: [registry],
    });
    const supergraphReloads = new prom_client_1.Counter({
        name: "g2p_gateway_supergraph_reloads_total",
        help: "Supergraph reloads after a file change, by result (success, failure)",
        labelNames: ["result"],
        registers: [registry],
    });
    const seen = new Set();
    const operationLabel = (name) => {
        if (!name)
            return "anonymous";
        if (!OPERATION_NAME.test(name))
            return "invalid";
        if (seen.has(name))
            return name;
        if (seen.size >= MAX_OPERATION_NAMES)
            return "other";
        seen.add(name);
        return name;
    };
    return {
        registry,
        httpDuration,
        subgraphDuration,
        subgraphErrors,
        supergraphReloads,
        plugin: () => ({
            async requestDidStart() {
                const end = httpDuration.startTimer();
                return {
                    async willSendResponse({ request, operationName, response }) {
                        end({ operation: operationLabel(operationName ?? request.operationName), status: String(response.http.status ?? 200) });
                    },
                };
            },
        }),
    };
}
//# sourceMappingURL=metrics.js.map