/**
 * A small typed fetch wrapper for the graph at /graphql (same origin). Every call carries the
 * session's token; an error answer becomes a GraphQLRequestError whose `codes` are the errors'
 * `extensions.code` (what the UI shows when the server refuses an action).
 */

/** A query string tagged with the shape of its result and variables. */
export interface Document<TData, TVariables> {
  readonly query: string;
  /** Type-level only; never set. */
  readonly __types?: (variables: TVariables) => TData;
}

export function gql<TData, TVariables extends Record<string, unknown> = Record<never, never>>(query: string): Document<TData, TVariables> {
  return { query };
}

export interface GraphQLErrorItem {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export class GraphQLRequestError extends Error {
  constructor(
    readonly errors: GraphQLErrorItem[],
    readonly status: number,
  ) {
    super(errors.map((e) => (e.extensions?.code ? `${e.extensions.code}: ${e.message}` : e.message)).join("; "));
    this.name = "GraphQLRequestError";
  }

  get codes(): string[] {
    return [...new Set(this.errors.map((e) => e.extensions?.code ?? "ERROR"))];
  }
}

export interface GraphClientOptions {
  endpoint?: string;
  token: () => string | null;
  /** Called when the server refuses the token (HTTP 401 / UNAUTHENTICATED). */
  onUnauthenticated?: () => void;
  fetch?: typeof fetch;
}

export type GraphRequest = <TData, TVariables extends Record<string, unknown>>(
  doc: Document<TData, TVariables>,
  ...variables: keyof TVariables extends never ? [TVariables?] : [TVariables]
) => Promise<TData>;

export function createGraphClient(opts: GraphClientOptions): GraphRequest {
  const endpoint = opts.endpoint ?? "/graphql";
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init));
  return async (doc, ...rest) => {
    const token = opts.token();
    // application/json makes this a non-simple request: the gateway's CSRF prevention lets it through.
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await doFetch(endpoint, { method: "POST", headers, body: JSON.stringify({ query: doc.query, variables: rest[0] ?? {} }), credentials: "same-origin" });
    } catch (err) {
      throw new GraphQLRequestError([{ message: `The graph is unreachable (${(err as Error).message})`, extensions: { code: "NETWORK_ERROR" } }], 0);
    }
    let body: { data?: unknown; errors?: GraphQLErrorItem[] };
    try {
      body = (await res.json()) as typeof body;
    } catch {
      throw new GraphQLRequestError([{ message: `Unexpected answer from the graph (HTTP ${res.status})`, extensions: { code: `HTTP_${res.status}` } }], res.status);
    }
    if (body.errors?.length) {
      const error = new GraphQLRequestError(body.errors, res.status);
      if (res.status === 401 || error.codes.includes("UNAUTHENTICATED")) opts.onUnauthenticated?.();
      throw error;
    }
    if (!res.ok || body.data == null) {
      throw new GraphQLRequestError([{ message: `Unexpected answer from the graph (HTTP ${res.status})`, extensions: { code: `HTTP_${res.status}` } }], res.status);
    }
    return body.data as never;
  };
}
