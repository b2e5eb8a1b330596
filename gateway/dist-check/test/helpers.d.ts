import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap";
import { type RunningGateway, type StartGatewayOptions } from "../src";
export declare const FED = "extend schema @link(url: \"https://specs.apollo.dev/federation/v2.3\", import: [\"@key\", \"@shareable\"])";
export interface SubgraphContext {
    headers: Record<string, string | string[] | undefined>;
}
export interface TestSubgraph {
    name: string;
    url: string;
    sdl: string;
    /** Headers of every request the subgraph received, oldest first. */
    seen: Array<Record<string, string | string[] | undefined>>;
    stop(): Promise<void>;
}
export declare function startSubgraph(name: string, sdl: string, resolvers: GraphQLResolverMap<unknown>): Promise<TestSubgraph>;
export declare function compose(subgraphs: Array<{
    name: string;
    url: string;
    sdl: string;
}>): string;
export declare function tempDir(): string;
/** Quiet test gateway on port 0. `env` is merged over a test default environment. */
export declare function gatewayFor(opts: Omit<StartGatewayOptions, "env"> & {
    env?: Record<string, string | undefined>;
}): Promise<RunningGateway>;
export interface GqlResponse {
    status: number;
    headers: Headers;
    text: string;
    body: {
        data?: Record<string, unknown> | null;
        errors?: Array<{
            message: string;
            path?: unknown[];
            extensions?: Record<string, unknown>;
        }>;
    };
}
export declare function gql(url: string, query: string, opts?: {
    headers?: Record<string, string>;
    variables?: Record<string, unknown>;
    operationName?: string;
}): Promise<GqlResponse>;
/** Base URL of the server (without /graphql), for /health, /ready, /metrics. */
export declare const baseOf: (graphqlUrl: string) => string;
export declare function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs?: number, what?: string): Promise<T>;
