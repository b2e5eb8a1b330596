/**
 * Small in-test subgraphs (plain @apollo/subgraph + Apollo Server on kit's http bridge, port 0),
 * composition helpers and an HTTP helper for talking to the gateway.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { composeServices } from "@apollo/composition";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/resolverMap";
import { startHttpServer } from "@g2p/kit/http";
import { parse } from "graphql";
import type { Dispatcher } from "undici";
import { startGateway, type RunningGateway, type StartGatewayOptions } from "../src";

export const FED = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])`;

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

export async function startSubgraph(
  name: string,
  sdl: string,
  resolvers: GraphQLResolverMap<unknown>,
): Promise<TestSubgraph> {
  const fullSdl = `${FED}\n${sdl}`;
  const apollo = new ApolloServer<SubgraphContext>({
    schema: buildSubgraphSchema({ typeDefs: parse(fullSdl), resolvers }),
    // A careless subgraph: stack traces and raw messages, so the gateway's masking is what is tested.
    includeStacktraceInErrorResponses: true,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const seen: TestSubgraph["seen"] = [];
  const http = await startHttpServer(
    {
      apollo,
      context: async (req) => {
        seen.push(req.headers);
        return { headers: req.headers };
      },
    },
    { host: "127.0.0.1", port: 0 },
  );
  let stopped = false;
  return {
    name,
    url: http.url,
    sdl: fullSdl,
    seen,
    async stop() {
      if (stopped) return;
      stopped = true;
      await http.close(100);
      await apollo.stop();
    },
  };
}

export function compose(subgraphs: Array<{ name: string; url: string; sdl: string }>): string {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return result.supergraphSdl;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "g2p-gateway-"));
}

/** Quiet test gateway on port 0. `env` is merged over a test default environment. */
export function gatewayFor(opts: Omit<StartGatewayOptions, "env"> & { env?: Record<string, string | undefined> }): Promise<RunningGateway> {
  return startGateway({
    port: 0,
    host: "127.0.0.1",
    ...opts,
    env: { NODE_ENV: "test", LOG_LEVEL: process.env.GATEWAY_TEST_LOG_LEVEL ?? "silent", ...opts.env },
  });
}

export interface GqlResponse {
  status: number;
  headers: Headers;
  text: string;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
  };
}

export async function gql(
  url: string,
  query: string,
  opts: { headers?: Record<string, string>; variables?: Record<string, unknown>; operationName?: string } = {},
): Promise<GqlResponse> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...opts.headers },
    body: JSON.stringify({ query, variables: opts.variables, operationName: opts.operationName }),
  });
  const text = await res.text();
  let body: GqlResponse["body"] = {};
  try {
    body = JSON.parse(text) as GqlResponse["body"];
  } catch {
    // not JSON (e.g. a 404 page): leave body empty, the text is still there
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** Base URL of the server (without /graphql), for /health, /ready, /metrics. */
export const baseOf = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, "");

export async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs = 8_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What a fake subgraph call answers: the shape of undici's `Dispatcher.request` result. */
export interface FakeAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: { text(): Promise<string> };
}

/**
 * A Dispatcher for data-source tests, written as a `request`-style function: the data source uses
 * the low-level `dispatch(opts, handler)`, which this drives (connect, headers, one body chunk,
 * complete; a rejection becomes onError).
 */
export function fakeDispatcher(request: (opts: { headers: Record<string, string>; body: string }) => Promise<FakeAnswer>): Dispatcher {
  return {
    dispatch(opts: { headers: Record<string, string>; body: string }, handler: Record<string, (...args: unknown[]) => unknown>) {
      let aborted = false;
      handler.onConnect!(() => (aborted = true));
      request(opts).then(
        async (res) => {
          if (aborted) return;
          const raw = Object.entries(res.headers).flatMap(([k, v]) => [Buffer.from(k), Buffer.from(v)]);
          handler.onHeaders!(res.statusCode, raw, () => undefined, "");
          handler.onData!(Buffer.from(await res.body.text()));
          handler.onComplete!([]);
        },
        (err: unknown) => handler.onError!(err),
      );
      return true;
    },
  } as unknown as Dispatcher;
}
