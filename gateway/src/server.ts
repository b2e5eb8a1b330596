/**
 * startGateway: ApolloGateway (query planning over the supergraph) inside Apollo Server 5, served by
 * kit's node:http bridge with /graphql, /health, /ready and /metrics.
 */
import { randomUUID } from "node:crypto";
import type http from "node:http";
import { ApolloGateway, type SupergraphManager, type SupergraphSdlHook } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginSchemaReportingDisabled, ApolloServerPluginUsageReportingDisabled } from "@apollo/server/plugin/disabled";
import { createTokenVerifier } from "@g2p/kit/auth";
import { startHttpServer } from "@g2p/kit/http";
import type { Registry } from "prom-client";
import { readGatewayConfig, type GatewayConfig } from "./config";
import { dashboardRoute } from "./dashboard";
import { SubgraphDataSource, createSubgraphAgent, type GatewayContext } from "./data-source";
import { createGatewayErrorFormatter } from "./errors";
import { healthRoute, readyRoute } from "./health";
import { createLimits } from "./limits";
import { createLogger, type Logger } from "./logger";
import { createMetrics } from "./metrics";
import { createQueryPlanCache } from "./plan-cache";
import { cacheVerifiedTokens } from "./token-cache";
import { fileSupergraphSource, introspectionSource, subgraphsOf, type SubgraphInfo } from "./supergraph-source";

// @apollo/gateway 2.14 sends anonymous usage data to Apollo unless this is set when an ApolloGateway
// is constructed; set it as soon as this module loads so nothing phones home.
process.env.APOLLO_TELEMETRY_DISABLED = "true";

export interface StartGatewayOptions {
  /** Supergraph `.graphql` or `supergraph.yaml`; default SUPERGRAPH_PATH or schema/supergraph.graphql. */
  supergraphPath?: string;
  /** A composed supergraph SDL served as is (no file, no reload). */
  supergraphSdl?: string;
  /** Default PORT or 4000; 0 picks a free port. */
  port?: number;
  /** Default HOST or 127.0.0.1. */
  host?: string;
  /** Read instead of process.env (config, auth, limits). */
  env?: Record<string, string | undefined>;
  logger?: Logger;
}

export interface RunningGateway {
  url: string;
  port: number;
  gateway: ApolloGateway;
  metricsRegistry: Registry;
  config: GatewayConfig;
  /** Stops accepting, drains in-flight requests, stops watching and closes subgraph connections. */
  stop(): Promise<void>;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function startGateway(opts: StartGatewayOptions = {}): Promise<RunningGateway> {
  const config = readGatewayConfig(opts.env ?? process.env);
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL);
  const production = config.NODE_ENV === "production";
  const metrics = createMetrics();
  const agent = createSubgraphAgent(config.SUBGRAPH_CONNECTIONS);
  // The gateway's own cache (sized by its settings, counted in its metrics) sits in front of the
  // verifier, so the kit verifier's built-in cache is turned off here rather than kept twice.
  const tokens = cacheVerifiedTokens(createTokenVerifier(config, { cacheSize: 0 }), {
    max: config.TOKEN_CACHE_SIZE,
    maxAgeMs: config.TOKEN_CACHE_MAX_AGE_MS,
    onLookup: (hit) => metrics.tokenCache.inc({ result: hit ? "hit" : "miss" }),
  });
  const verifyToken = tokens.verify;

  let source: string | SupergraphSdlHook | SupergraphManager;
  if (opts.supergraphSdl !== undefined) {
    source = opts.supergraphSdl;
  } else if (config.INTROSPECT_SUBGRAPHS) {
    logger.warn("introspecting subgraphs (development mode); serve a composed supergraph in production");
    source = introspectionSource(config.INTROSPECT_SUBGRAPHS, config.INTROSPECT_POLL_MS);
  } else {
    source = fileSupergraphSource(opts.supergraphPath ?? config.SUPERGRAPH_PATH, {
      logger,
      watch: config.SUPERGRAPH_WATCH,
      onReload: (result) => metrics.supergraphReloads.inc({ result }),
    });
  }

  const gateway = new ApolloGateway({
    supergraphSdl: source,
    logger: logger.child({ component: "apollo-gateway" }),
    // Same size bound as the default store (QUERY_PLAN_STORE_MIB), with hits and misses counted.
    queryPlannerConfig: {
      cache: createQueryPlanCache({
        maxBytes: config.QUERY_PLAN_STORE_MIB * 1024 * 1024,
        onLookup: (hit) => metrics.queryPlanCache.inc({ result: hit ? "hit" : "miss" }),
      }) as unknown as NonNullable<NonNullable<ConstructorParameters<typeof ApolloGateway>[0]>["queryPlannerConfig"]>["cache"],
    },
    buildService: ({ name, url }) =>
      new SubgraphDataSource({
        name,
        url: url ?? "",
        dispatcher: agent,
        timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
        retries: config.SUBGRAPH_RETRIES,
        dedup: config.SUBGRAPH_DEDUP,
        metrics,
        logger,
      }),
  });

  // The graph currently served, for /ready. Updated only when the gateway accepted a new graph.
  let subgraphs: SubgraphInfo[] | null = null;
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    subgraphs = subgraphsOf(coreSupergraphSdl);
  });

  const limits = createLimits(config);
  const apollo = new ApolloServer<GatewayContext>({
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
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
    ],
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    introspection: !production,
    includeStacktraceInErrorResponses: !production,
    formatError: createGatewayErrorFormatter({ production, logger }),
    // main.ts owns the signals (graceful drain of the HTTP server first).
    stopOnTerminationSignals: false,
  });

  await apollo.start().catch(async (err: unknown) => {
    await agent.close();
    throw err;
  });

  const http = await startHttpServer(
    {
      apollo,
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      context: async (req) => {
        const authorization = header(req, "authorization") || undefined;
        // Throws UNAUTHENTICATED (HTTP 401) for a malformed, expired or badly signed token;
        // no token is fine here: each subgraph decides what anonymous callers may do.
        await verifyToken(authorization);
        const incoming = header(req, "x-request-id");
        return { authorization, requestId: incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID() };
      },
      routes: {
        "/health": healthRoute,
        "GET /dashboard/*": dashboardRoute({ dir: config.DASHBOARD_DIR }),
        "/ready": readyRoute({ subgraphs: () => subgraphs, dispatcher: agent, timeoutMs: config.READY_TIMEOUT_MS }),
        "/metrics": async (_req, res) => {
          const text = await metrics.registry.metrics();
          res.writeHead(200, { "content-type": metrics.registry.contentType });
          res.end(text);
        },
      },
    },
    { host: opts.host ?? config.HOST, port: opts.port ?? config.PORT },
  ).catch(async (err: unknown) => {
    await apollo.stop();
    await agent.close();
    throw err;
  });

  logger.info({ url: http.url, port: http.port }, "gateway listening");

  let stopping: Promise<void> | undefined;
  return {
    url: http.url,
    port: http.port,
    gateway,
    metricsRegistry: metrics.registry,
    config,
    stop: () =>
      (stopping ??= (async () => {
        await http.close();
        await apollo.stop(); // also stops the gateway: watchers and poller cleaned up
        await agent.close();
        logger.info("gateway stopped");
      })()),
  };
}
