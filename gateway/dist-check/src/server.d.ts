import { ApolloGateway } from "@apollo/gateway";
import type { Registry } from "prom-client";
import { type GatewayConfig } from "./config";
import { type Logger } from "./logger";
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
export declare function startGateway(opts?: StartGatewayOptions): Promise<RunningGateway>;
