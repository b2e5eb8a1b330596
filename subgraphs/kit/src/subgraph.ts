/**
 * A subgraph is declared once (`defineSubgraph`) and started by `startSubgraph`: config, ORM and
 * migrations, jobs, schema, context, HTTP server with /health, graceful shutdown. A subgraph's own
 * code is then only its domain: entities, resolvers, services, loaders, migrations.
 */
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import type { EntityClass, EntityManager, MikroORM } from "@mikro-orm/core";
import type { NonEmptyArray } from "type-graphql";
import { createTokenVerifier } from "./auth/tokens";
import { readConfig, subgraphEnv, type SubgraphConfig } from "./config";
import { createContextFactory, type SubgraphContext } from "./context";
import { createErrorFormatter } from "./errors";
import { GraphClient } from "./graph-client";
import { sendJson, startHttpServer, type RouteHandler, type RunningHttpServer } from "./http";
import { createJobQueue, type JobDefinition, type JobQueue } from "./jobs";
import { createLogger, type Logger } from "./logger";
import { nulGuardPlugin } from "./nul-guard";
import { createOrm, type MigrationSets } from "./orm";
import { buildFederatedSchema, type EntityReference, type FederatedSchema } from "./schema";

export interface SubgraphDefinition<L> {
  /** Lower-case name: process, SQLite file, PostgreSQL schema, BullMQ queue. */
  name: string;
  defaultPort: number;
  entities: EntityClass<unknown>[];
  resolvers: NonEmptyArray<Function>;
  orphanedTypes?: Function[];
  references?: EntityReference<L>[];
  createLoaders: (em: EntityManager) => L;
  migrations: MigrationSets;
  jobs?: JobDefinition<any, any>[];
  /**
   * Extra HTTP routes beside /graphql and /health, e.g. a payment provider's callbacks or a streamed
   * upload (keys as in kit/http: "POST /callbacks/gsma", "GET /files/*"). A handler authenticates
   * its caller itself: these routes bypass GraphQL and its token check.
   */
  routes?: (services: SubgraphServices) => Record<string, RouteHandler>;
  /**
   * Background work of the subgraph's own (pollers, outbox senders), started once the subgraph is up;
   * the returned function is awaited on shutdown before the database closes.
   */
  background?: (services: SubgraphServices) => Promise<() => Promise<void>> | (() => Promise<void>);
}

/** What routes and background workers get: the running subgraph's shared pieces. */
export interface SubgraphServices {
  orm: MikroORM;
  jobs: JobQueue;
  graph: GraphClient;
  config: SubgraphConfig;
  log: Logger;
}

export function defineSubgraph<L>(def: SubgraphDefinition<L>): SubgraphDefinition<L> {
  return def;
}

/** The schema alone, with no database: for printing SDL and composing. */
export function buildSubgraphSchemaOf<L>(def: SubgraphDefinition<L>): Promise<FederatedSchema> {
  return buildFederatedSchema<L>({ resolvers: def.resolvers, orphanedTypes: def.orphanedTypes, references: def.references });
}

export interface StartOptions {
  /** Environment to read config from (defaults to process.env). */
  env?: Record<string, string | undefined>;
  /** SQLite file override (":memory:" in tests). */
  sqlitePath?: string;
  onQuery?: (sql: string) => void;
  logger?: Logger;
}

export interface RunningSubgraph {
  name: string;
  url: string;
  config: SubgraphConfig;
  orm: MikroORM;
  jobs: JobQueue;
  /** This subgraph's client to the graph; the testkit points it at the gateway once it is up. */
  graph: GraphClient;
  sdl: string;
  http: RunningHttpServer;
  log: Logger;
  stop(): Promise<void>;
}

export async function startSubgraph<L>(def: SubgraphDefinition<L>, opts: StartOptions = {}): Promise<RunningSubgraph> {
  const env = opts.env ?? process.env;
  const config = readConfig(subgraphEnv, { PORT: String(def.defaultPort), ...env });
  const log = opts.logger ?? createLogger(def.name, config.LOG_LEVEL);
  const production = config.NODE_ENV === "production";

  const orm = await createOrm({
    name: def.name,
    entities: def.entities,
    migrations: def.migrations,
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    sqlitePath: opts.sqlitePath,
    onQuery: opts.onQuery,
    migrate: config.MIGRATE_ON_START,
    sqliteSynchronous: config.SQLITE_SYNCHRONOUS,
    sqliteCacheMb: config.SQLITE_CACHE_MB,
    sqliteWalAutocheckpoint: config.SQLITE_WAL_AUTOCHECKPOINT,
    onMigrated: (names) => names.length > 0 && log.info({ migrations: names }, "migrations applied"),
  });
  const graph = new GraphClient(def.name, config);
  const jobs = createJobQueue(orm, log, {
    graph,
    subgraph: def.name,
    redisUrl: config.REDIS_URL,
    concurrency: config.JOBS_CONCURRENCY,
    queueName: `${config.JOBS_QUEUE_PREFIX}-${def.name}`,
  });
  for (const job of def.jobs ?? []) jobs.register(job);
  await jobs.start();

  const { schema, sdl } = await buildSubgraphSchemaOf(def);
  const apollo = new ApolloServer<SubgraphContext<L>>({
    schema,
    introspection: !production,
    includeStacktraceInErrorResponses: !production,
    formatError: createErrorFormatter({ production, onUnexpected: (err) => log.error({ err }, "unexpected error") }),
    plugins: [ApolloServerPluginInlineTraceDisabled(), nulGuardPlugin()],
    // The gateway sends application/json; CSRF prevention still guards browsers calling directly.
    csrfPrevention: true,
  });
  await apollo.start();

  const context = createContextFactory<L>({
    orm,
    verify: createTokenVerifier(config),
    createLoaders: def.createLoaders,
    log,
    jobs,
    graph,
  });
  const services: SubgraphServices = { orm, jobs, graph, config, log };
  const http = await startHttpServer(
    {
      apollo,
      context,
      routes: {
        ...def.routes?.(services),
        "/health": async (_req, res) => {
          try {
            await orm.em.getConnection().execute("select 1");
            sendJson(res, 200, { status: "ok", subgraph: def.name });
          } catch {
            sendJson(res, 503, { status: "database unreachable", subgraph: def.name });
          }
        },
      },
    },
    { host: config.HOST, port: config.PORT },
  );
  const stopBackground = def.background ? await def.background(services) : undefined;
  log.info({ url: http.url, database: config.DATABASE_URL ? "postgresql" : "sqlite", jobs: jobs.kind }, "subgraph listening");

  let stopped = false;
  return {
    name: def.name,
    url: http.url,
    config,
    orm,
    jobs,
    graph,
    sdl,
    http,
    log,
    async stop() {
      if (stopped) return;
      stopped = true;
      await http.close();
      await stopBackground?.();
      await apollo.stop();
      await jobs.stop();
      await orm.close(true);
    },
  };
}

/** Entry point of a subgraph process: start, print where, stop cleanly on SIGINT/SIGTERM. */
export async function runSubgraphMain<L>(def: SubgraphDefinition<L>): Promise<void> {
  let running: RunningSubgraph;
  try {
    running = await startSubgraph(def);
  } catch (err) {
    // Configuration errors are for people: one clear message, no stack.
    console.error(`[${def.name}] failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    running.log.info({ signal }, "shutting down");
    running
      .stop()
      .then(() => process.exit(0))
      .catch((err) => {
        running.log.error({ err }, "shutdown failed");
        process.exit(1);
      });
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}
