/**
 * `G2PClient`: typed GraphQL over fetch for partner systems. Every operation is a typed document
 * (generated from the graph's schema), so variables and results are checked by the compiler:
 *
 *   const g2p = new G2PClient({ url, auth: staticToken(token) });
 *   const { programs } = await g2p.request(ProgramsDocument, { first: 10 });
 *   for await (const p of g2p.paginate(BatchPaymentsDocument, { batchId }, (d) => d.disbursementBatch.payments)) { ... }
 */
import { randomUUID } from "node:crypto";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print, type DocumentNode, type OperationDefinitionNode } from "graphql";
import { staticToken, type AuthProvider } from "./auth";
import { G2PError, type GraphQLErrorPayload } from "./errors";

export interface G2PClientOptions {
  /** The gateway's GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** A bearer token, or a provider (`staticToken`, `clientCredentials`). None: anonymous. */
  auth?: string | AuthProvider;
  /** Per request, including retries of a 401 (default 30 s). */
  timeoutMs?: number;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Makes the `x-request-id` of each request (default: a random UUID). */
  requestId?: () => string;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /** Use this request id (letters, digits, `.`, `_`, `:`, `-`; up to 128). */
  requestId?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A raw GraphQL answer (for callers that want partial data next to errors). */
export interface GraphQLResponse<T> {
  data: T | null;
  errors: GraphQLErrorPayload[];
  requestId: string;
  status: number;
}

/** The Relay connection shape every paged field of the graph has. */
export interface Connection<N> {
  nodes: readonly N[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  totalCount?: number;
}

export interface PaginateOptions extends RequestOptions {
  /** Page size (`first`); default 100. */
  pageSize?: number;
  /** Stop after this many nodes. */
  limit?: number;
}

type PageVariables = { first?: number | null; after?: string | null };

const printed = new WeakMap<DocumentNode, { query: string; operationName?: string }>();

function source(doc: DocumentNode): { query: string; operationName?: string } {
  let s = printed.get(doc);
  if (!s) {
    const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === "OperationDefinition");
    s = { query: print(doc), operationName: op?.name?.value };
    printed.set(doc, s);
  }
  return s;
}

export class G2PClient {
  readonly url: string;
  private readonly auth: AuthProvider | null;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;
  private readonly makeRequestId: () => string;
  private readonly doFetch: typeof fetch;

  constructor(opts: G2PClientOptions) {
    this.url = opts.url;
    this.auth = typeof opts.auth === "string" ? staticToken(opts.auth) : (opts.auth ?? null);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.headers = opts.headers ?? {};
    this.makeRequestId = opts.requestId ?? randomUUID;
    this.doFetch = opts.fetch ?? fetch;
  }

  /** Runs an operation; resolves with its data, or rejects with a `G2PError` (typed by `code`). */
  async request<TResult, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...[variables, options]: Record<string, never> extends TVariables ? [TVariables?, RequestOptions?] : [TVariables, RequestOptions?]
  ): Promise<TResult> {
    const res = await this.execute(document, variables, options);
    const { operationName } = source(document);
    if (res.errors.length) throw G2PError.fromResponse(res.errors, { data: res.data, status: res.status, requestId: res.requestId, operationName });
    if (res.data == null) throw new G2PError("EMPTY_RESPONSE", "the graph answered without data or errors", { status: res.status, requestId: res.requestId, operationName });
    return res.data;
  }

  /**
   * Runs an operation and returns data and errors as they came (partial data is kept). Rejects only
   * when there is no GraphQL answer at all (network, timeout, non-GraphQL HTTP answer).
   */
  async execute<TResult, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables?: TVariables,
    options: RequestOptions = {},
  ): Promise<GraphQLResponse<TResult>> {
    const { query, operationName } = source(document);
    const requestId = options.requestId ?? this.makeRequestId();
    const body = JSON.stringify({ query, operationName, variables: variables ?? {} });
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const ctx = { requestId, operationName };

    const send = async (): Promise<Response> => {
      const token = this.auth ? await this.auth.getToken() : null;
      const headers: Record<string, string> = {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
        "x-request-id": requestId,
        ...this.headers,
        ...options.headers,
      };
      if (token) headers.authorization = `Bearer ${token}`;
      try {
        return await this.doFetch(this.url, { method: "POST", headers, body, signal });
      } catch (err) {
        if (timeout.aborted) throw new G2PError("TIMEOUT", `no answer from ${this.url} within ${timeoutMs} ms`, { ...ctx, cause: err });
        if (options.signal?.aborted) throw err;
        throw new G2PError("NETWORK_ERROR", `cannot reach ${this.url}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`, { ...ctx, cause: err });
      }
    };

    let res = await send();
    // A cached token the graph no longer accepts (revoked, clock skew): fetch a fresh one, once.
    if (res.status === 401 && this.auth?.invalidate) {
      await res.body?.cancel();
      this.auth.invalidate();
      res = await send();
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      if (timeout.aborted) throw new G2PError("TIMEOUT", `no answer from ${this.url} within ${timeoutMs} ms`, { ...ctx, status: res.status, cause: err });
      throw new G2PError("NETWORK_ERROR", `answer from ${this.url} cut short: ${(err as Error).message}`, { ...ctx, status: res.status, cause: err });
    }
    let parsed: { data?: TResult | null; errors?: GraphQLErrorPayload[] } | null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (!parsed || typeof parsed !== "object" || (!("data" in parsed) && !Array.isArray(parsed.errors))) {
      throw new G2PError("HTTP_ERROR", `HTTP ${res.status} from ${this.url}: ${text.slice(0, 200)}`, { ...ctx, status: res.status });
    }
    return { data: parsed.data ?? null, errors: parsed.errors ?? [], requestId: res.headers.get("x-request-id") ?? requestId, status: res.status };
  }

  /**
   * Every node of a Relay connection, page after page (`first` / `after` are set by the iterator):
   *
   *   for await (const p of g2p.paginate(BatchPaymentsDocument, { batchId, status: "FAILED" }, (d) => d.disbursementBatch.payments)) ...
   */
  async *paginate<TResult, TVariables extends PageVariables & Record<string, unknown>, TNode>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: Omit<TVariables, "first" | "after">,
    select: (data: TResult) => Connection<TNode> | null | undefined,
    options: PaginateOptions = {},
  ): AsyncGenerator<TNode, void, undefined> {
    const { pageSize = 100, limit = Infinity, ...requestOptions } = options;
    let after: string | null = null;
    let seen = 0;
    for (;;) {
      const vars = { ...variables, first: pageSize, after } as unknown as TVariables;
      const data: TResult = await (this.request as (d: typeof document, v: TVariables, o: RequestOptions) => Promise<TResult>)(document, vars, requestOptions);
      const page = select(data);
      if (!page) return;
      for (const node of page.nodes) {
        if (seen++ >= limit) return;
        yield node;
      }
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor || page.pageInfo.endCursor === after || seen >= limit) return;
      after = page.pageInfo.endCursor;
    }
  }

  /** Collects `paginate` into an array. */
  async all<TResult, TVariables extends PageVariables & Record<string, unknown>, TNode>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: Omit<TVariables, "first" | "after">,
    select: (data: TResult) => Connection<TNode> | null | undefined,
    options: PaginateOptions = {},
  ): Promise<TNode[]> {
    const out: TNode[] = [];
    for await (const n of this.paginate(document, variables, select, options)) out.push(n);
    return out;
  }
}
