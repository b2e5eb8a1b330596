/**
 * Prometheus metrics on a registry owned by one gateway instance (not prom-client's global one), so
 * several gateways in one process (tests) do not collide.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { Counter, Histogram, Registry } from "prom-client";
export interface GatewayMetrics {
    registry: Registry;
    httpDuration: Histogram<"operation" | "status">;
    subgraphDuration: Histogram<"subgraph" | "outcome">;
    subgraphErrors: Counter<"subgraph" | "kind">;
    supergraphReloads: Counter<"result">;
    /** Times each /graphql request that reaches Apollo Server, labelled by operation name. */
    plugin(): ApolloServerPlugin;
}
export declare function createMetrics(): GatewayMetrics;
