/**
 * Prometheus metrics on a registry owned by one gateway instance (not prom-client's global one), so
 * several gateways in one process (tests) do not collide.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface GatewayMetrics {
  registry: Registry;
  httpDuration: Histogram<"operation" | "status">;
  subgraphDuration: Histogram<"subgraph" | "outcome">;
  subgraphErrors: Counter<"subgraph" | "kind">;
  supergraphReloads: Counter<"result">;
  /** Work saved by deduplication: `fetch` (a call joined an identical one in flight), `representation` (a repeat not sent). */
  subgraphDedup: Counter<"subgraph" | "kind">;
  /** Query-plan cache lookups by result (hit, miss): a miss means the operation was planned again. */
  queryPlanCache: Counter<"result">;
  /** Token verifications by result: hit = a verified, unexpired header found in the cache; miss = signature checked. */
  tokenCache: Counter<"result">;
  /** Times each /graphql request that reaches Apollo Server, labelled by operation name. */
  plugin(): ApolloServerPlugin;
}

/** Operation names come from clients: cap the label's cardinality so /metrics cannot be blown up. */
const MAX_OPERATION_NAMES = 500;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  const httpDuration = new Histogram({
    name: "g2p_gateway_http_request_duration_seconds",
    help: "Latency of /graphql requests, by operation name and HTTP status",
    labelNames: ["operation", "status"] as const,
    buckets,
    registers: [registry],
  });
  const subgraphDuration = new Histogram({
    name: "g2p_gateway_subgraph_request_duration_seconds",
    help: "Latency of each HTTP call from the gateway to a subgraph",
    labelNames: ["subgraph", "outcome"] as const,
    buckets,
    registers: [registry],
  });
  const subgraphErrors = new Counter({
    name: "g2p_gateway_subgraph_errors_total",
    help: "Failed subgraph calls by kind: network, timeout, http (status >= 400), graphql (errors in the response)",
    labelNames: ["subgraph", "kind"] as const,
    registers: [registry],
  });
  const supergraphReloads = new Counter({
    name: "g2p_gateway_supergraph_reloads_total",
    help: "Supergraph reloads after a file change, by result (success, failure)",
    labelNames: ["result"] as const,
    registers: [registry],
  });

  const subgraphDedup = new Counter({
    name: "g2p_gateway_subgraph_dedup_total",
    help: "Subgraph work saved: fetch = a call that joined an identical in-flight call, representation = a repeated entity representation not sent",
    labelNames: ["subgraph", "kind"] as const,
    registers: [registry],
  });

  const queryPlanCache = new Counter({
    name: "g2p_gateway_query_plan_cache_total",
    help: "Query-plan cache lookups by result: hit, miss (the operation was planned)",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const tokenCache = new Counter({
    name: "g2p_gateway_token_cache_total",
    help: "Bearer token checks by result: hit (verified before and unexpired), miss (signature verified)",
    labelNames: ["result"] as const,
    registers: [registry],
  });

  const seen = new Set<string>();
  const operationLabel = (name: string | null | undefined): string => {
    if (!name) return "anonymous";
    if (!OPERATION_NAME.test(name)) return "invalid";
    if (seen.has(name)) return name;
    if (seen.size >= MAX_OPERATION_NAMES) return "other";
    seen.add(name);
    return name;
  };

  return {
    registry,
    httpDuration,
    subgraphDuration,
    subgraphErrors,
    supergraphReloads,
    subgraphDedup,
    queryPlanCache,
    tokenCache,
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
