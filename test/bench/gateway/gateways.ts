/**
 * One gateway under test, in its own process so its memory is its own:
 *
 *   node -r scripts/ts-register.js test/bench/gateway/gateways.ts KIND SUPERGRAPH_FILE [OURS_SOURCE_DIR]
 *
 * KIND is `ours` (our gateway, every feature on: JWT check, limits, metrics), `stock` (@apollo/gateway
 * with default settings in @apollo/server's standalone server) or `hive` (@graphql-hive/gateway's
 * runtime on node:http, default settings). Every one forwards the caller's `authorization` header
 * to the subgraphs, the one setting a real deployment cannot do without. Prints `{"url": ...}` once
 * listening; SIGTERM stops it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type * as OurGateway from "@g2p/gateway";

export type GatewayKind = "ours" | "stock" | "hive";
export const GATEWAY_KINDS: GatewayKind[] = ["ours", "stock", "hive"];

interface Started {
  url: string;
  stop(): Promise<void>;
}

async function startOurs(supergraphSdl: string, sourceDir?: string): Promise<Started> {
  // sourceDir: another copy of gateway/src (A/B runs of a change, test/bench/gateway/ab.ts).
  const { startGateway } = (sourceDir ? await import(path.resolve(sourceDir, "index")) : await import("@g2p/gateway")) as typeof OurGateway;
  const gw = await startGateway({ supergraphSdl, port: 0, host: "127.0.0.1", env: { ...process.env, SUPERGRAPH_WATCH: "false" } });
  return { url: gw.url, stop: () => gw.stop() };
}

async function startStock(supergraphSdl: string): Promise<Started> {
  process.env.APOLLO_TELEMETRY_DISABLED = "true";
  const { ApolloGateway, RemoteGraphQLDataSource } = await import("@apollo/gateway");
  const { ApolloServer } = await import("@apollo/server");
  const { startStandaloneServer } = await import("@apollo/server/standalone");
  interface Ctx {
    authorization?: string;
  }
  // The documented way to pass the caller's token on; nothing else differs from the defaults.
  class Forwarding extends RemoteGraphQLDataSource<Ctx> {
    override willSendRequest(options: GraphQLDataSourceProcessOptions<Ctx>) {
      const { request, context } = options;
      if (context.authorization) request.http?.headers.set("authorization", context.authorization);
    }
  }
  const server = new ApolloServer<Ctx>({ gateway: new ApolloGateway({ supergraphSdl, buildService: ({ url }) => new Forwarding({ url }) }) });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: "127.0.0.1" },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  return { url: url.replace(/\/$/, "") + "/graphql", stop: () => server.stop() };
}

async function startHive(supergraphFile: string): Promise<Started> {
  const { createGatewayRuntime } = await import("@graphql-hive/gateway");
  const runtime = createGatewayRuntime({
    supergraph: supergraphFile,
    logging: false,
    propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get("authorization") }) },
  });
  const server = http.createServer(runtime);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runtime.dispose();
    },
  };
}

export function startKind(kind: GatewayKind, supergraphFile: string, sourceDir?: string): Promise<Started> {
  const sdl = readFileSync(supergraphFile, "utf8");
  if (kind === "ours") return startOurs(sdl, sourceDir);
  if (kind === "stock") return startStock(sdl);
  return startHive(supergraphFile);
}

if (require.main === module) {
  const [kind, file, sourceDir] = process.argv.slice(2) as [GatewayKind, string, string | undefined];
  if (!GATEWAY_KINDS.includes(kind) || !file) {
    process.stderr.write(`usage: gateways.ts ${GATEWAY_KINDS.join("|")} SUPERGRAPH_FILE\n`);
    process.exit(2);
  }
  startKind(kind, file, sourceDir).then(
    (gw) => {
      process.stdout.write(`${JSON.stringify({ url: gw.url })}\n`);
      process.once("SIGTERM", () => {
        gw.stop().finally(() => process.exit(0));
      });
    },
    (err: unknown) => {
      process.stderr.write(`${kind} gateway: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
