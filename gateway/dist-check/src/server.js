"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.startGateway = startGateway;
/**
 * startGateway: ApolloGateway (query planning over the supergraph) inside Apollo Server 5, served by
 * kit's node:http bridge with /graphql, /health, /ready and /metrics.
 */
const node_crypto_1 = require("node:crypto");
const gateway_1 = require("@apollo/gateway");
const server_1 = require("@apollo/server");
const disabled_1 = require("@apollo/server/plugin/disabled");
const auth_1 = require("@g2p/kit/auth");
const http_1 = require("@g2p/kit/http");
const config_1 = require("./config");
const data_source_1 = require("./data-source");
const errors_1 = require("./errors");
const health_1 = require("./health");
const limits_1 = require("./limits");
const logger_1 = require("./logger");
const metrics_1 = require("./metrics");
const supergraph_source_1 = require("./supergraph-source");
// @apollo/gateway 2.14 sends anonymous usage data to Apollo unless this is set when an ApolloGateway
// is constructed; set it as soon as this module loads so nothing phones home.
process.env.APOLLO_TELEMETRY_DISABLED = "true";
const REQUEST_ID = /^[\w.:-]{1,128}$/;
function header(req, name) {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
}
async function startGateway(opts = {}) {
    const config = (0, config_1.readGatewayConfig)(opts.env ?? process.env);
    const logger = opts.logger ?? (0, logger_1.createLogger)(config.LOG_LEVEL);
    const production = config.NODE_ENV === "production";
    const metrics = (0, metrics_1.createMetrics)();
    const agent = (0, data_source_1.createSubgraphAgent)(config.SUBGRAPH_CONNECTIONS);
    const verifyToken = (0, auth_1.createTokenVerifier)(config);
    let source;
    if (opts.supergraphSdl !== undefined) {
        source = opts.supergraphSdl;
    }
    else if (config.INTROSPECT_SUBGRAPHS) {
        logger.warn("introspecting subgraphs (development mode); serve a composed supergraph in production");
        source = (0, supergraph_source_1.introspectionSource)(config.INTROSPECT_SUBGRAPHS, config.INTROSPECT_POLL_MS);
    }
    else {
        source = (0, supergraph_source_1.fileSupergraphSource)(opts.supergraphPath ?? config.SUPERGRAPH_PATH, {
            logger,
            watch: config.SUPERGRAPH_WATCH,
            onReload: (result) => metrics.supergraphReloads.inc({ result }),
        });
    }
    const gateway = new gateway_1.ApolloGateway({
        supergraphSdl: source,
        logger: logger.child({ component: "apollo-gateway" }),
        experimental_approximateQueryPlanStoreMiB: config.QUERY_PLAN_STORE_MIB,
        buildService: ({ name, url }) => new data_source_1.SubgraphDataSource({
            name,
            url: url ?? "",
            dispatcher: agent,
            timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
            retries: config.SUBGRAPH_RETRIES,
            metrics,
            logger,
        }),
    });
    // The graph currently served, for /ready. Updated only when the gateway accepted a new graph.
    let subgraphs = null;
    gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
        subgraphs = (0, supergraph_source_1.subgraphsOf)(coreSupergraphSdl);
    });
    const limits = (0, limits_1.createLimits)(config);
    const apollo = new server_1.ApolloServer({
        gateway,
        logger,
        plugins: [
            ...limits.plugins,
            metrics.plugin(),
            {
                async requestDidStart() {
                    return {
                        async willSendResponse({ response, contextValue }) {
                            response.http.headers.set("x-request-id", contextValue.requestId);
                        },
                    };
                },
            },
            // Explicit, so no APOLLO_KEY in the environment can turn reporting on.
            (0, disabled_1.ApolloServerPluginUsageReportingDisabled)(),
            (0, disabled_1.ApolloServerPluginSchemaReportingDisabled)(),
        ],
        validationRules: limits.validationRules,
        parseOptions: limits.parseOptions,
        allowBatchedHttpRequests: false,
        csrfPrevention: true,
        introspection: !production,
        includeStacktraceInErrorResponses: !production,
        formatError: (0, errors_1.createGatewayErrorFormatter)({ production, logger }),
        // main.ts owns the signals (graceful drain of the HTTP server first).
        stopOnTerminationSignals: false,
    });
    await apollo.start().catch(async (err) => {
        await agent.close();
        throw err;
    });
    const http = await (0, http_1.startHttpServer)({
        apollo,
        bodyLimitBytes: config.BODY_LIMIT_BYTES,
        context: async (req) => {
            const authorization = header(req, "authorization") || undefined;
            // Throws UNAUTHENTICATED (HTTP 401) for a malformed, expired or badly signed token;
            // no token is fine here: each subgraph decides what anonymous callers may do.
            await verifyToken(authorization);
            const incoming = header(req, "x-request-id");
            return { authorization, requestId: incoming && REQUEST_ID.test(incoming) ? incoming : (0, node_crypto_1.randomUUID)() };
        },
        routes: {
            "/health": health_1.healthRoute,
            "/ready": (0, health_1.readyRoute)({ subgraphs: () => subgraphs, dispatcher: agent, timeoutMs: config.READY_TIMEOUT_MS }),
            "/metrics": async (_req, res) => {
                const text = await metrics.registry.metrics();
                res.writeHead(200, { "content-type": metrics.registry.contentType });
                res.end(text);
            },
        },
    }, { host: opts.host ?? config.HOST, port: opts.port ?? config.PORT }).catch(async (err) => {
        await apollo.stop();
        await agent.close();
        throw err;
    });
    logger.info({ url: http.url, port: http.port }, "gateway listening");
    let stopping;
    return {
        url: http.url,
        port: http.port,
        gateway,
        metricsRegistry: metrics.registry,
        config,
        stop: () => (stopping ??= (async () => {
            await http.close();
            await apollo.stop(); // also stops the gateway: watchers and poller cleaned up
            await agent.close();
            logger.info("gateway stopped");
        })()),
    };
}
//# sourceMappingURL=server.js.map