/**
 * Configuration is read from the environment once, at start-up, and validated with zod. A bad value
 * stops the process with one line per problem naming the variable, never a stack trace.
 */
import { z } from "zod";

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

const optionalString = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());
const optionalUrl = z.preprocess((v) => (v === "" ? undefined : v), z.url().optional());

/** What the gateway and every subgraph need to verify tokens. */
export const authEnv = {
  /** HS256 secret used in development and tests; refused in production. */
  JWT_SECRET: optionalString,
  /** In production: the identity provider's key set, issuer and audience. */
  JWKS_URL: optionalUrl,
  JWT_ISSUER: z.string().default("g2p-graph-dev"),
  JWT_AUDIENCE: z.string().default("g2p-graph"),
};

export const baseEnv = {
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  HOST: z.string().default("127.0.0.1"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ...authEnv,
};

export const subgraphEnv = {
  ...baseEnv,
  PORT: z.coerce.number().int().min(0).max(65535),
  /** postgres://user@host:5432/db — one schema per subgraph inside it. Unset: SQLite files. */
  DATABASE_URL: optionalUrl,
  /** Folder for the SQLite files when DATABASE_URL is unset. */
  DATA_DIR: z.string().default("./data"),
  /** redis://host:6379 — jobs run on BullMQ when set, in-process otherwise. */
  REDIS_URL: optionalUrl,
  /** Job chunks one process runs at a time (in-process and BullMQ workers alike). */
  JOBS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * SQLite only: NORMAL (default) under WAL never corrupts but may lose the last commits on power
   * loss (not on a process crash); FULL fsyncs every commit. Production runs PostgreSQL.
   */
  SQLITE_SYNCHRONOUS: z.enum(["NORMAL", "FULL"]).default("NORMAL"),
  /**
   * SQLite only: page cache per connection, MiB (SQLite's own default is 2 MiB). Bulk writes into
   * tables of millions of rows touch index pages at random; a cache smaller than those indexes' hot
   * part turns every insert into a page read and every commit into many page writes.
   */
  SQLITE_CACHE_MB: z.coerce.number().int().min(2).max(4096).default(64),
  /**
   * SQLite only: WAL pages after which a commit checkpoints (SQLite's own default is 1,000, 4 MiB).
   * Bulk writes dirty pages of random-keyed indexes again and again: with a small WAL each is copied
   * into the database at nearly every checkpoint; with a larger one, once per many commits (measured:
   * 1,000,000 vouchers issued in 81 s instead of 129 s, 12.5 instead of 20 KB written per voucher).
   * The WAL file may grow to about this many pages (4 KiB each) before it is reused.
   */
  SQLITE_WAL_AUTOCHECKPOINT: z.coerce.number().int().min(100).max(1_000_000).default(100_000),
  /** Prefix of BullMQ queue names, so several deployments (or test runs) can share one Redis. */
  JOBS_QUEUE_PREFIX: z.string().regex(/^[a-zA-Z0-9_-]+$/).default("g2p"),
  /** The gateway's /graphql, for reads and calls to other blocks (see GraphClient). */
  GRAPH_URL: optionalUrl,
  /** A `service`-role token for block-to-block calls; required in production, signed locally otherwise. */
  SERVICE_TOKEN: z.preprocess((v) => (v === "" ? undefined : v), z.string().optional()),
  /** Run pending migrations at start (default on; production deployments may run them as a step). */
  MIGRATE_ON_START: z.enum(["true", "false"]).default("true").transform((v) => v === "true"),
};

export function readConfig<S extends z.ZodRawShape>(
  shape: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<S>> {
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".") || "(env)"}: ${i.message}`));
  }
  const cfg = parsed.data as z.infer<z.ZodObject<S>> & { NODE_ENV?: string; JWT_SECRET?: string; JWKS_URL?: string };
  if (cfg.NODE_ENV === "production" && "SERVICE_TOKEN" in shape && "GRAPH_URL" in shape && (cfg as { GRAPH_URL?: string }).GRAPH_URL && !(cfg as { SERVICE_TOKEN?: string }).SERVICE_TOKEN) {
    throw new ConfigError(["SERVICE_TOKEN: required with GRAPH_URL when NODE_ENV=production (a token with the service role)"]);
  }
  if (cfg.NODE_ENV === "production" && "JWKS_URL" in shape && !cfg.JWKS_URL) {
    throw new ConfigError(["JWKS_URL: required when NODE_ENV=production (the development secret is never used there)"]);
  }
  return cfg;
}

export type SubgraphConfig = z.infer<z.ZodObject<typeof subgraphEnv>>;
