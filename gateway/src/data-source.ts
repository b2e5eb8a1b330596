/**
 * How the gateway calls subgraphs. The stock RemoteGraphQLDataSource fetches through
 * make-fetch-happen with unbounded sockets, no timeout and no retry; a raw undici pool per origin
 * roughly doubled throughput in our measurements (docs/decisions/gateway-performance.md). We keep
 * the stock class for its place in @apollo/gateway (buildService, didReceiveResponse) and replace
 * `process`: one undici call, a timeout, budgeted retries for queries, deduplicated entity
 * representations, shared identical in-flight reads (keyed on the caller's token), metrics.
 */
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { GraphQLError, getOperationAST, parse, type DocumentNode } from "graphql";
import type { Logger } from "pino";
import { Agent, util as undiciUtil, type Dispatcher } from "undici";
import type { ErrorCode } from "@g2p/kit/errors";
import type { GatewayMetrics } from "./metrics";

// Types of the stock class, derived rather than imported from @apollo/gateway's own dependencies.
type Fetcher = RemoteGraphQLDataSource["fetcher"];
type FetcherResponse = Awaited<ReturnType<Fetcher>>;
type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource["process"]>>;
type ReceivedResponse = Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>["didReceiveResponse"]>>[0];

/** What the gateway's request context carries for subgraph calls (built in server.ts). */
export interface GatewayContext {
  /** The caller's `Authorization` header, already verified; forwarded unchanged. */
  authorization?: string;
  requestId: string;
}

/** Gateway-made error codes; safe to show in production (they name no host or internal detail). */
export const SUBGRAPH_UNAVAILABLE: ErrorCode = "SUBGRAPH_UNAVAILABLE";
export const SUBGRAPH_TIMEOUT: ErrorCode = "SUBGRAPH_TIMEOUT";

/** A failed call to a subgraph (no HTTP answer). Only `network` failures are retried. */
export class SubgraphFetchError extends GraphQLError {
  constructor(
    readonly subgraph: string,
    readonly kind: "network" | "timeout",
    cause: Error,
    timeoutMs: number,
  ) {
    super(kind === "timeout" ? `Subgraph "${subgraph}" did not answer within ${timeoutMs} ms` : `Subgraph "${subgraph}" is unavailable`, {
      originalError: cause,
      extensions: { code: kind === "timeout" ? SUBGRAPH_TIMEOUT : SUBGRAPH_UNAVAILABLE, serviceName: subgraph },
    });
  }
}

/** One keep-alive pool per subgraph origin, with a bounded connection count, shared by all data sources. */
export function createSubgraphAgent(connections: number): Agent {
  // keepAliveTimeout stays under the subgraphs' server.keepAliveTimeout (65 s, kit/http) so the
  // client, not the server, closes idle sockets; that avoids reusing a socket the server just closed.
  return new Agent({ connections, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 });
}

function isTimeout(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  const code = (err as { code?: string } | null)?.code;
  return name === "TimeoutError" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT";
}

/** What a subgraph answered, before parsing: shared as is between deduplicated callers. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Thrown into undici to abort a call whose time budget ran out. */
class SubgraphTimeout extends Error {
  override name = "TimeoutError";
}

/**
 * One HTTP call to a subgraph through undici's low-level `Dispatcher.dispatch`, with a handler that
 * collects the body bytes: no WHATWG Request/Response (a visible cost in CPU profiles), no body
 * stream and no AbortSignal per call (`dispatcher.request` + `AbortSignal.timeout` cost about 3 %
 * of the gateway's CPU on the benchmark). One time budget (a plain timer) covers the wait for a
 * connection, the headers and the body. A failure without an HTTP answer becomes a SubgraphFetchError.
 */
export function callSubgraph(opts: {
  subgraph: string;
  dispatcher: Dispatcher;
  url: URL;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  metrics: GatewayMetrics;
}): Promise<RawAnswer> {
  const { subgraph, metrics, timeoutMs } = opts;
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  return new Promise<RawAnswer>((resolve, reject) => {
    let settled = false;
    let abort: ((err: Error) => void) | undefined;
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    const chunks: Buffer[] = [];
    const fail = (err: unknown, timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const kind = timedOut || isTimeout(err) ? "timeout" : "network";
      metrics.subgraphDuration.observe({ subgraph, outcome: kind }, seconds());
      metrics.subgraphErrors.inc({ subgraph, kind });
      reject(new SubgraphFetchError(subgraph, kind, err instanceof Error ? err : new Error(String(err)), timeoutMs));
    };
    const timer = setTimeout(() => {
      const err = new SubgraphTimeout(`no complete answer within ${timeoutMs} ms`);
      fail(err, true);
      abort?.(err); // not yet connected: aborted in onConnect
    }, timeoutMs);
    const handler: Dispatcher.DispatchHandler = {
      onConnect(abortCall: (err?: Error) => void) {
        abort = abortCall;
        if (settled) abortCall(new SubgraphTimeout(`no complete answer within ${timeoutMs} ms`));
      },
      onHeaders(statusCode: number, rawHeaders: Buffer[]) {
        status = statusCode;
        headers = undiciUtil.parseHeaders(rawHeaders) as typeof headers;
        return true;
      },
      onData(chunk: Buffer) {
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const text = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8");
        metrics.subgraphDuration.observe({ subgraph, outcome: status < 400 ? "ok" : "http_error" }, seconds());
        resolve({ status, headers, text });
      },
      onError(err: Error) {
        fail(err, false);
      },
    } as Dispatcher.DispatchHandler;
    opts.dispatcher.dispatch({ origin: opts.url.origin, path: opts.url.pathname + opts.url.search, method: "POST", headers: opts.headers, body: opts.body }, handler);
  });
}

/**
 * Repeated entity representations inside one `_entities` fetch. The query planner sends one
 * representation per occurrence in the result tree, repeats included (on the benchmark's heavy
 * query: 290 per operation, 82 distinct). We send each distinct one once and expand the answer back
 * to one entry per original position, so the gateway sees exactly what it asked for.
 */
export interface RepresentationPlan {
  /** JSON of each distinct representation, in first-seen order. */
  distinct: string[];
  /** For each original position, the index of its distinct representation. */
  index: number[];
}

export function planRepresentations(representations: readonly unknown[]): RepresentationPlan {
  const seen = new Map<string, number>();
  const distinct: string[] = [];
  const index = new Array<number>(representations.length);
  for (let i = 0; i < representations.length; i++) {
    // The planner builds every representation of a type from the same key selection, so equal
    // entities serialize identically; a different key order only costs a missed merge, not a wrong one.
    const json = JSON.stringify(representations[i]);
    let j = seen.get(json);
    if (j === undefined) {
      j = distinct.length;
      seen.set(json, j);
      distinct.push(json);
    }
    index[i] = j;
  }
  return { distinct, index };
}

/** A deep copy of parsed JSON: each expanded position gets its own objects, since the gateway merges into them. */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = cloneJson((value as Record<string, unknown>)[key]);
  return out as T;
}

interface SubgraphBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ path?: ReadonlyArray<string | number> } & Record<string, unknown>>;
  [key: string]: unknown;
}

/**
 * Expands an answer to the distinct representations back to the original positions: entity i gets
 * the answer of its distinct representation (the first use keeps the parsed object, later uses a
 * copy), and an error at `_entities[j]` is repeated for every position that j stands for.
 * Throws if the subgraph answered with another number of entities than it was sent.
 */
export function expandEntities(body: SubgraphBody, plan: RepresentationPlan, subgraph: string): SubgraphBody {
  const entities = body.data?._entities;
  if (Array.isArray(entities)) {
    if (entities.length !== plan.distinct.length) {
      throw new GraphQLError(`Subgraph "${subgraph}" answered ${entities.length} entities for ${plan.distinct.length} representations`, {
        extensions: { serviceName: subgraph },
      });
    }
    const used = new Uint8Array(plan.distinct.length);
    body.data!._entities = plan.index.map((j) => (used[j] ? cloneJson(entities[j]) : ((used[j] = 1), entities[j])));
  }
  if (body.errors?.length) {
    const positions: number[][] = plan.distinct.map(() => []);
    plan.index.forEach((j, i) => positions[j]!.push(i));
    body.errors = body.errors.flatMap((error) => {
      const path = error.path;
      if (!path || path[0] !== "_entities" || typeof path[1] !== "number" || !positions[path[1]]) return [error];
      return positions[path[1]]!.map((i) => ({ ...error, path: ["_entities", i, ...path.slice(2)] }));
    });
  }
  return body;
}

/** Only read operations may share an in-flight call; the planner's subgraph operations start with their type. */
const READ_OPERATION = /^\s*(?:query\b|\{)/;

/** The request body for a subgraph, with representations deduplicated when there are any. */
export function serializeRequest(request: Record<string, unknown>): { body: string; plan?: RepresentationPlan } {
  const { http: _http, variables, ...rest } = request;
  const representations = (variables as Record<string, unknown> | undefined)?.representations;
  if (!Array.isArray(representations)) return { body: JSON.stringify({ ...rest, variables }) };
  const plan = planRepresentations(representations);
  const { representations: _r, ...otherVariables } = variables as Record<string, unknown>;
  const others = JSON.stringify(otherVariables);
  const variablesJson = `{"representations":[${plan.distinct.join(",")}]${others === "{}" ? "" : `,${others.slice(1, -1)}`}}`;
  const head = JSON.stringify(rest);
  return { body: `${head.slice(0, -1)}${head === "{}" ? "" : ","}"variables":${variablesJson}}`, plan };
}

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  dispatcher: Dispatcher;
  timeoutMs: number;
  /** Extra attempts after a network error, for query operations only. */
  retries: number;
  /**
   * Share one call between identical in-flight read operations (same subgraph, same body, same
   * `authorization`). Default true. Nothing is cached once the call settles.
   */
  dedup?: boolean;
  metrics: GatewayMetrics;
  logger: Logger;
}

type IncomingOptions = Extract<GraphQLDataSourceProcessOptions<GatewayContext>, { incomingRequestContext: unknown }>;

/** A call made for a client operation (not a health check or SDL load); the enum is not exported. */
function isIncoming(options: GraphQLDataSourceProcessOptions<GatewayContext>): options is IncomingOptions {
  return "incomingRequestContext" in options;
}

const kindCache = new WeakMap<DocumentNode, string | undefined>();
/**
 * Operation types by operation text: the planner hands over text without a document (unless
 * `exposeDocumentNodeInFetchNode`), and parsing it again on every fetch was ~2 % of the gateway's
 * CPU. Bounded: the texts come from cached query plans, but a plan cache can churn.
 */
const kindByText = new Map<string, string | undefined>();
const MAX_KIND_TEXTS = 2_000;

/** The operation type of what is about to be sent (the planner's subgraph operation, not the client's). */
function operationType(options: GraphQLDataSourceProcessOptions<GatewayContext>): string | undefined {
  if (!isIncoming(options)) return "query"; // health check, SDL load
  const { query, operationName } = options.request;
  if (options.document) {
    if (!kindCache.has(options.document)) kindCache.set(options.document, getOperationAST(options.document, operationName)?.operation);
    return kindCache.get(options.document);
  }
  if (!query) return undefined;
  const key = operationName ? `${operationName}\n${query}` : query;
  if (kindByText.has(key)) return kindByText.get(key);
  const kind = getOperationAST(parse(query), operationName)?.operation; // a syntax error throws, as before, and is not cached
  if (kindByText.size >= MAX_KIND_TEXTS) kindByText.clear();
  kindByText.set(key, kind);
  return kind;
}

/** The little of a fetch Response that code after a subgraph call may read (url, status, headers.get). */
function responseShim(url: string, answer: RawAnswer): FetcherResponse {
  const get = (name: string) => {
    const value = answer.headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  };
  return { url, status: answer.status, ok: answer.status < 400, headers: { get } } as unknown as FetcherResponse;
}

/** Cache-control hint of a subgraph answer, as Apollo's data source reads it (max-age, public/private). */
function cacheHint(answer: RawAnswer): { maxAge: number; scope?: "PUBLIC" | "PRIVATE" } {
  const raw = answer.headers["cache-control"];
  const header = Array.isArray(raw) ? raw.join(", ") : raw;
  const hint: { maxAge: number; scope?: "PUBLIC" | "PRIVATE" } = { maxAge: 0 };
  if (!header) return hint;
  for (const part of header.split(",")) {
    const [k, v] = part.trim().split("=", 2) as [string, string | undefined];
    const key = k.toLowerCase();
    if (key === "max-age" && v && /^\d+$/.test(v.replace(/"/g, ""))) hint.maxAge = Number(v.replace(/"/g, ""));
    else if (key === "private") hint.scope = "PRIVATE";
    else if (key === "public") hint.scope = "PUBLIC";
  }
  return hint;
}

export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  // A parameter property, not a field: a declared field would be re-initialised after the base
  // constructor's Object.assign under define semantics.
  constructor(private readonly options: SubgraphDataSourceOptions) {
    super({ url: options.url });
    this.target = new URL(options.url);
    this.inflight = new Map();
  }

  declare private target: URL;
  /** Calls in flight, keyed on authorization + body; an entry lives only until its call settles. */
  declare private inflight: Map<string, Promise<RawAnswer>>;

  /**
   * Retries only a query, and only when the connection failed (refused, reset): the subgraph never
   * saw it. A mutation is never retried, nor is a timeout (the first attempt may still be running).
   */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const attempts = operationType(options) === "query" ? 1 + this.options.retries : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.processOnce(options);
      } catch (err) {
        if (!(err instanceof SubgraphFetchError && err.kind === "network") || attempt >= attempts) throw err;
        this.options.logger.warn({ subgraph: this.options.name, attempt, err: err.originalError?.message }, "subgraph call failed; retrying");
      }
    }
  }

  /**
   * What the stock `process` does, without its fetch machinery (make-fetch-happen, node-fetch
   * Headers, Request and Response per call, which CPU profiles showed as a first-order cost): the
   * caller's token and request id as headers, one undici call, deduplicated representations,
   * identical in-flight reads shared (keyed on the caller's token), non-2xx answers mapped to an
   * error (errorFromAnswer), then didReceiveResponse and the subgraph's cache-control hint.
   */
  private async processOnce(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { name, metrics } = this.options;
    const { request } = options;
    if (!request.query) throw new Error("Missing query");
    const headers: Record<string, string> = {};
    if (request.http?.headers) for (const [key, value] of request.http.headers) headers[key.toLowerCase()] = value;
    headers["content-type"] = "application/json";
    if (isIncoming(options)) {
      const { authorization, requestId } = options.context;
      // The gateway has verified the token; every subgraph verifies it again and applies its own rules.
      if (authorization) headers.authorization = authorization;
      if (requestId) headers["x-request-id"] = requestId;
    }
    const { body, plan } = serializeRequest({ query: request.query, operationName: request.operationName, variables: request.variables, extensions: request.extensions });
    if (plan && plan.distinct.length < plan.index.length) {
      metrics.subgraphDedup.inc({ subgraph: name, kind: "representation" }, plan.index.length - plan.distinct.length);
    }

    let answer: RawAnswer;
    if (this.options.dedup !== false && READ_OPERATION.test(request.query)) {
      // Keyed on the caller's credentials as well as the body: callers with different tokens
      // never share an answer (a subgraph may answer them differently).
      const key = `${headers.authorization ?? ""}\n${body}`;
      let call = this.inflight.get(key);
      if (call) {
        metrics.subgraphDedup.inc({ subgraph: name, kind: "fetch" });
      } else {
        call = this.call(headers, body);
        this.inflight.set(key, call);
        const forget = () => this.inflight.delete(key);
        call.then(forget, forget);
      }
      answer = await call;
    } else {
      answer = await this.call(headers, body);
    }

    if (answer.status >= 400) throw this.errorFromAnswer(answer);
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      parsed = undefined;
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new GraphQLError(`Subgraph "${name}" answered with a body that is not a GraphQL response`, { extensions: { serviceName: name } });
    }
    const result = plan ? expandEntities(parsed as SubgraphBody, plan, name) : (parsed as SubgraphBody);
    const response = { ...result, http: responseShim(this.options.url, answer) } as GatewayGraphQLResponse;
    const processed = this.didReceiveResponse
      ? await this.didReceiveResponse({ response, request, context: options.context, pathInIncomingRequest: isIncoming(options) ? options.pathInIncomingRequest : undefined } as ReceivedResponse)
      : response;
    if (isIncoming(options)) {
      const policy = options.incomingRequestContext.overallCachePolicy as { restrict?: (hint: object) => void } | undefined;
      if (this.honorSubgraphCacheControlHeader && typeof policy?.restrict === "function") policy.restrict(cacheHint(answer));
    }
    return processed;
  }

  private call(headers: Record<string, string>, body: string): Promise<RawAnswer> {
    const { name, dispatcher, timeoutMs, metrics } = this.options;
    return callSubgraph({ subgraph: name, dispatcher, url: this.target, headers, body, timeoutMs, metrics });
  }

  override didReceiveResponse({ response }: ReceivedResponse): GatewayGraphQLResponse {
    if (response.errors?.length) this.options.metrics.subgraphErrors.inc({ subgraph: this.options.name, kind: "graphql" });
    return response;
  }

  /**
   * A non-2xx answer. Apollo's stock version copies the whole response body into
   * `extensions.response`, which would reach clients; we keep only the subgraph's first GraphQL
   * error (message and code) and let the error formatter decide what production may show.
   */
  errorFromAnswer(answer: RawAnswer): GraphQLError {
    this.options.metrics.subgraphErrors.inc({ subgraph: this.options.name, kind: "http" });
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      body = undefined;
    }
    const first = (body as { errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }> } | undefined)?.errors?.[0];
    const code =
      typeof first?.extensions?.code === "string"
        ? first.extensions.code
        : answer.status === 401
          ? "UNAUTHENTICATED"
          : answer.status === 403
            ? "FORBIDDEN"
            : undefined;
    const message = typeof first?.message === "string" ? first.message : `Subgraph "${this.options.name}" answered HTTP ${answer.status}`;
    return new GraphQLError(message, { extensions: { ...(code ? { code } : {}), serviceName: this.options.name } });
  }
}
