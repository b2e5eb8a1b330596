/**
 * The end-to-end testkit: every subgraph and the gateway on ephemeral ports, over fresh databases
 * (in-memory SQLite, or PostgreSQL when DATABASE_URL is set; BullMQ when REDIS_URL is set).
 * `request()` goes through the gateway, as a partner system would.
 */
import { composeServices } from "@apollo/composition";
import { subgraph as eligibility } from "@g2p/eligibility";
import { startGateway, type RunningGateway } from "@g2p/gateway";
import { subgraph as identity } from "@g2p/identity";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestDatabase, dataOf, graphqlRequest, startTestSubgraph, type Caller, type GraphQLResult, type SubgraphDefinition, type TestSubgraph } from "@g2p/kit";
import { subgraph as payments } from "@g2p/payments";
import { subgraph as registry } from "@g2p/registry";
import { subgraph as vouchers } from "@g2p/vouchers";
import { parse } from "graphql";
import { spawnServer, type SpawnedServer } from "./processes";

export const ALL_SUBGRAPHS: SubgraphDefinition<any>[] = [registry, identity, eligibility, payments, vouchers];
export type SubgraphName = "registry" | "identity" | "eligibility" | "payments" | "vouchers";

export interface Stack {
  gateway: RunningGateway;
  gatewayUrl: string;
  /** Subgraphs running in this process. */
  subgraphs: Partial<Record<SubgraphName, TestSubgraph>>;
  /** Subgraphs running as their own processes (`spawn` option), from their sources. */
  processes: Partial<Record<SubgraphName, SpawnedServer>>;
  supergraphSdl: string;
  /** A GraphQL request through the gateway. */
  request<T = any>(query: string, variables?: Record<string, unknown>, caller?: Caller, headers?: Record<string, string>): Promise<GraphQLResult<T>>;
  /** SQL statements run by each subgraph since the last `resetSql()`. */
  sqlCounts(): Record<SubgraphName, number>;
  resetSql(): void;
  stop(): Promise<void>;
}

export function composeSupergraph(services: { name: string; url: string; sdl: string }[]): string {
  const { supergraphSdl, errors } = composeServices(services.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (errors?.length || !supergraphSdl) throw new Error(`composition failed:\n${errors?.map((e) => e.message).join("\n")}`);
  return supergraphSdl;
}

/** Runs one subgraph as a real process over its own fresh database; its SDL is read from `_service`. */
async function spawnSubgraph(name: SubgraphName, env: Record<string, string> = {}) {
  const db = await createTestDatabase();
  const server = await spawnServer(path.join("subgraphs", name, "src", "main.ts"), [], {
    PORT: "0",
    DATA_DIR: await mkdtemp(path.join(tmpdir(), `g2p-${name}-`)),
    DATABASE_URL: db.databaseUrl ?? "",
    JOBS_QUEUE_PREFIX: `test-${process.pid}-${Date.now()}`,
    ...env,
  });
  const sdl = dataOf(await graphqlRequest(server.url, "{ _service { sdl } }"))._service.sdl as string;
  return {
    name,
    server,
    sdl,
    async stop() {
      await server.kill("SIGKILL");
      await db.drop();
    },
  };
}

export async function startStack(
  opts: { env?: Record<string, string>; gatewayEnv?: Record<string, string>; spawn?: SubgraphName[] } = {},
): Promise<Stack> {
  const spawnNames = new Set(opts.spawn ?? []);
  const [started, spawned] = await Promise.all([
    Promise.all(ALL_SUBGRAPHS.filter((d) => !spawnNames.has(d.name as SubgraphName)).map((def) => startTestSubgraph(def, opts.env))),
    Promise.all([...spawnNames].map((name) => spawnSubgraph(name, opts.env))),
  ]);
  const subgraphs = Object.fromEntries(started.map((s) => [s.name, s])) as Partial<Record<SubgraphName, TestSubgraph>>;
  const processes = Object.fromEntries(spawned.map((s) => [s.name, s.server])) as Partial<Record<SubgraphName, SpawnedServer>>;
  const supergraphSdl = composeSupergraph([
    ...started.map((s) => ({ name: s.name, url: s.url, sdl: s.sdl })),
    ...spawned.map((s) => ({ name: s.name, url: s.server.url, sdl: s.sdl })),
  ]);
  const gateway = await startGateway({ supergraphSdl, port: 0, env: { ...process.env, ...opts.gatewayEnv } });
  // Blocks call each other through this gateway (kit GraphClient); spawned ones through GRAPH_URL.
  for (const s of started) s.graph.setUrl(gateway.url);
  return {
    gateway,
    gatewayUrl: gateway.url,
    subgraphs,
    processes,
    supergraphSdl,
    request: (query, variables, caller, headers) => graphqlRequest(gateway.url, query, variables, caller, headers),
    sqlCounts: () => Object.fromEntries(started.map((s) => [s.name, s.sql.length])) as Record<SubgraphName, number>,
    resetSql: () => started.forEach((s) => (s.sql.length = 0)),
    async stop() {
      await gateway.stop();
      await Promise.all([...started.map((s) => s.stop()), ...spawned.map((s) => s.stop())]);
    },
  };
}
