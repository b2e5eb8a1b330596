/**
 * A small bridge from Node's `http` server to Apollo Server 5, shared by the gateway and every
 * subgraph. Written by hand (instead of pulling Express) because we need only a handful of routes
 * (/graphql, /health, /ready, /metrics), a hard request-body limit and clean shutdown.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { HeaderMap, type ApolloServer, type BaseContext } from "@apollo/server";

export type RouteHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
) => Promise<void> | void;

export interface HttpServerOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /** Builds the per-request context; may throw a GraphQLError (e.g. UNAUTHENTICATED). */
  context: (req: http.IncomingMessage) => Promise<TContext>;
  /**
   * Extra routes. A key is "/path" (GET and HEAD, e.g. /health, /ready, /metrics) or
   * "METHOD /path" (e.g. "PUT /callbacks/gsma"); a path ending in "/*" matches that prefix
   * (e.g. "GET /dashboard/*" serves a whole folder). Exact paths win over prefixes.
   */
  routes?: Record<string, RouteHandler>;
  /** Largest accepted request body in bytes. */
  bodyLimitBytes?: number;
  graphqlPath?: string;
}

export class BodyTooLargeError extends Error {}

export function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      reject(new BodyTooLargeError(`request body over ${limit} bytes`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(`request body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function toHeaderMap(req: http.IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(key, Array.isArray(value) ? value.join(", ") : value);
  }
  return headers;
}

async function handleGraphQL<TContext extends BaseContext>(
  opts: HttpServerOptions<TContext>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  search: string,
): Promise<void> {
  let body: unknown = undefined;
  if (req.method === "POST") {
    const raw = await readBody(req, opts.bodyLimitBytes ?? 1_000_000);
    const type = req.headers["content-type"] ?? "";
    if (raw.length > 0 && type.includes("json")) {
      try {
        body = JSON.parse(raw);
      } catch {
        sendJson(res, 400, { errors: [{ message: "Request body is not valid JSON", extensions: { code: "BAD_REQUEST" } }] });
        return;
      }
    } else {
      body = raw;
    }
  }
  const result = await opts.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? "GET", headers: toHeaderMap(req), search, body },
    context: () => opts.context(req),
  });
  for (const [key, value] of result.headers) res.setHeader(key, value);
  res.statusCode = result.status ?? 200;
  if (result.body.kind === "complete") {
    res.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}

interface RouteTable {
  exact: Map<string, RouteHandler>;
  prefixes: { method: string; prefix: string; handler: RouteHandler }[];
}

function routeTable(routes: Record<string, RouteHandler> = {}): RouteTable {
  const table: RouteTable = { exact: new Map(), prefixes: [] };
  for (const [key, handler] of Object.entries(routes)) {
    const [method, path] = key.includes(" ") ? key.split(/\s+/, 2) : ["GET", key];
    const upper = method.toUpperCase();
    if (path.endsWith("/*")) table.prefixes.push({ method: upper, prefix: path.slice(0, -1), handler });
    else table.exact.set(`${upper} ${path}`, handler);
  }
  // Longest prefix first, so "/dashboard/api/*" wins over "/dashboard/*".
  table.prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  return table;
}

function findRoute(table: RouteTable, method: string, pathname: string): RouteHandler | undefined {
  // HEAD is answered by the GET handler (Node drops the body of a HEAD response).
  const m = method === "HEAD" ? "GET" : method;
  const exact = table.exact.get(`${m} ${pathname}`);
  if (exact) return exact;
  for (const p of table.prefixes) {
    if (p.method === m && (pathname.startsWith(p.prefix) || `${pathname}/` === p.prefix)) return p.handler;
  }
  return undefined;
}

export interface RunningHttpServer {
  server: http.Server;
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (up to graceMs), then closes idle sockets. */
  close(graceMs?: number): Promise<void>;
}

export async function startHttpServer<TContext extends BaseContext>(
  opts: HttpServerOptions<TContext>,
  listen: { host: string; port: number },
): Promise<RunningHttpServer> {
  const graphqlPath = opts.graphqlPath ?? "/graphql";
  const sockets = new Set<Socket>();
  const routes = routeTable(opts.routes);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const work = async () => {
      if (url.pathname === graphqlPath) return handleGraphQL(opts, req, res, url.search);
      const route = findRoute(routes, req.method ?? "GET", url.pathname);
      if (route) return route(req, res);
      sendJson(res, 404, { error: "not found" });
    };
    work().catch((err: unknown) => {
      if (err instanceof BodyTooLargeError) {
        if (!res.headersSent) sendJson(res, 413, { errors: [{ message: "Request body too large", extensions: { code: "PAYLOAD_TOO_LARGE" } }] });
        return;
      }
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
      else res.end();
    });
  });
  // Keep-alive from the gateway's pooled client: outlive its idle timeout to avoid races on reuse.
  server.keepAliveTimeout = 65_000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host === "0.0.0.0" || listen.host === "::" ? "localhost" : listen.host;
  return {
    server,
    port,
    url: `http://${host}:${port}${graphqlPath}`,
    async close(graceMs = 5_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, graceMs);
      timer.unref();
      await closed;
      clearTimeout(timer);
    },
  };
}
