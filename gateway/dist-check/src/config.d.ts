/**
 * The gateway's settings, read once from the environment and validated with zod (kit's readConfig:
 * one line per bad variable, no stack trace). CLI flags override the matching variables in main.ts.
 */
import { z } from "zod";
export declare const gatewayEnv: {
    PORT: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    /** A composed supergraph `.graphql` file or a Rover-format `supergraph.yaml`. */
    SUPERGRAPH_PATH: z.ZodDefault<z.ZodString>;
    /** Reload the graph when the supergraph file (or, for yaml, a schema file it lists) changes. */
    SUPERGRAPH_WATCH: z.ZodPipe<z.ZodOptional<z.ZodEnum<{
        0: "0";
        1: "1";
        true: "true";
        false: "false";
    }>>, z.ZodTransform<boolean, "0" | "1" | "true" | "false" | undefined>>;
    /** Development only: `name=url,url,...` introspected with IntrospectAndCompose instead of a file. */
    INTROSPECT_SUBGRAPHS: z.ZodPreprocess<z.ZodOptional<z.ZodString>, unknown>;
    INTROSPECT_POLL_MS: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    /** Largest accepted request body; bigger bodies get HTTP 413. */
    BODY_LIMIT_BYTES: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    /** Per subgraph call; a call that takes longer fails with SUBGRAPH_TIMEOUT (never retried). */
    SUBGRAPH_TIMEOUT_MS: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    /** Extra attempts after a network error (refused/reset connection), for query operations only. */
    SUBGRAPH_RETRIES: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    /** Keep-alive connections per subgraph origin. */
    SUBGRAPH_CONNECTIONS: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    /** How long /ready waits for each subgraph's `{ __typename }`. */
    READY_TIMEOUT_MS: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    QUERY_PLAN_STORE_MIB: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    MAX_DEPTH: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    MAX_ALIASES: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    MAX_DIRECTIVES: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    MAX_TOKENS: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    MAX_COST: z.ZodDefault<z.ZodCoercedNumber<unknown>>;
    /** Default: on in production (hides "Did you mean ...?" schema hints). */
    BLOCK_FIELD_SUGGESTIONS: z.ZodPipe<z.ZodOptional<z.ZodEnum<{
        0: "0";
        1: "1";
        true: "true";
        false: "false";
    }>>, z.ZodTransform<boolean | undefined, "0" | "1" | "true" | "false" | undefined>>;
    JWT_SECRET: z.ZodPreprocess<z.ZodOptional<z.ZodString>, unknown>;
    JWKS_URL: z.ZodPreprocess<z.ZodOptional<z.ZodURL>, unknown>;
    JWT_ISSUER: z.ZodDefault<z.ZodString>;
    JWT_AUDIENCE: z.ZodDefault<z.ZodString>;
    NODE_ENV: z.ZodDefault<z.ZodEnum<{
        development: "development";
        test: "test";
        production: "production";
    }>>;
    HOST: z.ZodDefault<z.ZodString>;
    LOG_LEVEL: z.ZodDefault<z.ZodEnum<{
        fatal: "fatal";
        error: "error";
        warn: "warn";
        info: "info";
        debug: "debug";
        trace: "trace";
        silent: "silent";
    }>>;
};
export type GatewayConfig = z.infer<z.ZodObject<typeof gatewayEnv>>;
export declare function readGatewayConfig(env?: Record<string, string | undefined>): GatewayConfig;
