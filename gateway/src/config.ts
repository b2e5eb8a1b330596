/**
 * The gateway's settings, read once from the environment and validated with zod (kit's readConfig:
 * one line per bad variable, no stack trace). CLI flags override the matching variables in main.ts.
 */
import { z } from "zod";
import { baseEnv, readConfig } from "@g2p/kit/config";

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);
const flag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === "true" || v === "1"));
const optionalString = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());

export const gatewayEnv = {
  ...baseEnv,
  PORT: int(0, 65535, 4000),
  /** A composed supergraph `.graphql` file or a Rover-format `supergraph.yaml`. */
  SUPERGRAPH_PATH: z.string().default("schema/supergraph.graphql"),
  /** Reload the graph when the supergraph file (or, for yaml, a schema file it lists) changes. */
  SUPERGRAPH_WATCH: flag(true),
  /** Development only: `name=url,url,...` introspected with IntrospectAndCompose instead of a file. */
  INTROSPECT_SUBGRAPHS: optionalString,
  INTROSPECT_POLL_MS: int(0, 3_600_000, 10_000),
  /** Largest accepted request body; bigger bodies get HTTP 413. */
  BODY_LIMIT_BYTES: int(1_024, 100 * 1024 * 1024, 1_000_000),
  /** Per subgraph call; a call that takes longer fails with SUBGRAPH_TIMEOUT (never retried). */
  SUBGRAPH_TIMEOUT_MS: int(1, 600_000, 10_000),
  /** Extra attempts after a network error (refused/reset connection), for query operations only. */
  SUBGRAPH_RETRIES: int(0, 2, 1),
  /** Keep-alive connections per subgraph origin. */
  SUBGRAPH_CONNECTIONS: int(1, 1_024, 32),
  /** Share one subgraph call between identical in-flight reads of the same caller (same token and body). */
  SUBGRAPH_DEDUP: flag(true),
  /** How long /ready waits for each subgraph's `{ __typename }`. */
  READY_TIMEOUT_MS: int(1, 60_000, 2_000),
  QUERY_PLAN_STORE_MIB: int(1, 4_096, 30),
  /** Verified Authorization headers remembered (LRU) until their token expires; 0 = verify every request. */
  TOKEN_CACHE_SIZE: int(0, 1_000_000, 10_000),
  /** Longest a verified token is trusted without re-checking its signature (bounds a JWKS key removal). */
  TOKEN_CACHE_MAX_AGE_MS: int(0, 3_600_000, 300_000),
  MAX_DEPTH: int(1, 1_000, 10),
  MAX_ALIASES: int(0, 1_000, 15),
  MAX_DIRECTIVES: int(0, 1_000, 50),
  MAX_TOKENS: int(1, 1_000_000, 2_000),
  MAX_COST: int(1, 10_000_000, 5_000),
  /** Result nodes an operation may ask for, page sizes (`first`/`last`) multiplied in (list-size.ts). */
  MAX_RESULT_NODES: int(1, 100_000_000, 250_000),
  /** The page size a subgraph uses when `first` is absent (the kit's default), for that estimate. */
  DEFAULT_PAGE_SIZE: int(1, 100_000, 50),
  /** Folder of the built dashboard served at /dashboard/ (default: clients/dashboard/dist of this checkout). */
  DASHBOARD_DIR: optionalString,
  /** Default: on in production (hides "Did you mean ...?" schema hints). */
  BLOCK_FIELD_SUGGESTIONS: z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === "true" || v === "1")),
};

export type GatewayConfig = z.infer<z.ZodObject<typeof gatewayEnv>>;

export function readGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return readConfig(gatewayEnv, env);
}
