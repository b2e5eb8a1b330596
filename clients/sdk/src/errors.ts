/**
 * Typed errors: every failure the client reports is a `G2PError` whose `code` is the graph's
 * `extensions.code` (docs/error-codes.md), or one of the client's own codes for what never reached
 * the graph (network failure, timeout, a non-GraphQL HTTP answer, a token endpoint refusing us).
 */

/** Codes the graph sends (kit registry and Apollo Server's own). */
export type GraphErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "BAD_USER_INPUT"
  | "NOT_FOUND"
  | "CONFLICT"
  | "IDEMPOTENCY_MISMATCH"
  | "PAYLOAD_TOO_LARGE"
  | "SUBGRAPH_UNAVAILABLE"
  | "SUBGRAPH_TIMEOUT"
  | "INTERNAL_SERVER_ERROR"
  | "GRAPHQL_PARSE_FAILED"
  | "GRAPHQL_VALIDATION_FAILED"
  | "BAD_REQUEST"
  | "PERSISTED_QUERY_NOT_FOUND"
  | "PERSISTED_QUERY_NOT_SUPPORTED"
  | "OPERATION_RESOLUTION_FAILURE";

/** Codes of the client itself. */
export type ClientErrorCode =
  /** No answer: connection refused, reset, DNS. */
  | "NETWORK_ERROR"
  /** No answer within the client's `timeoutMs`. */
  | "TIMEOUT"
  /** An HTTP answer that is not a GraphQL response (a proxy's 502 page, ...). */
  | "HTTP_ERROR"
  /** The OAuth2 token endpoint refused the client's credentials or answered nonsense. */
  | "AUTH_FAILED"
  /** A GraphQL response without data and without errors. */
  | "EMPTY_RESPONSE";

export type G2PErrorCode = GraphErrorCode | ClientErrorCode;

/** One GraphQL error as the graph sends it. */
export interface GraphQLErrorPayload {
  message: string;
  path?: (string | number)[];
  locations?: { line: number; column: number }[];
  extensions?: Record<string, unknown> & { code?: string };
}

export class G2PError extends Error {
  override readonly name = "G2PError";
  /** `extensions.code` of the first error (or a client code); unknown codes are passed through as they are. */
  readonly code: G2PErrorCode | (string & {});
  /** The first error's extensions (e.g. `field`, `reason`, `state`, `mosipCode`). */
  readonly extensions: Record<string, unknown>;
  /** Every GraphQL error of the response (empty for client-side failures). */
  readonly errors: GraphQLErrorPayload[];
  /** Partial data, when the graph answered some fields and refused others. */
  readonly data: unknown;
  /** HTTP status, when there was an HTTP answer. */
  readonly status?: number;
  /** The request id sent as `x-request-id` (and echoed by the gateway): quote it to operators. */
  readonly requestId?: string;
  /** The operation name, when the document had one. */
  readonly operationName?: string;

  constructor(
    code: string,
    message: string,
    opts: { extensions?: Record<string, unknown>; errors?: GraphQLErrorPayload[]; data?: unknown; status?: number; requestId?: string; operationName?: string; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.extensions = opts.extensions ?? {};
    this.errors = opts.errors ?? [];
    this.data = opts.data ?? null;
    this.status = opts.status;
    this.requestId = opts.requestId;
    this.operationName = opts.operationName;
  }

  /** The codes of all errors of the response, in order. */
  get codes(): string[] {
    return this.errors.length ? this.errors.map((e) => String(e.extensions?.code ?? "INTERNAL_SERVER_ERROR")) : [this.code];
  }

  /** Whether any error of the response carries this code. */
  has(code: G2PErrorCode | (string & {})): boolean {
    return this.codes.includes(code);
  }

  /** Builds the error for a GraphQL response that carries `errors`. */
  static fromResponse(errors: GraphQLErrorPayload[], ctx: { data?: unknown; status?: number; requestId?: string; operationName?: string } = {}): G2PError {
    const first = errors[0] ?? { message: "unknown error" };
    const code = typeof first.extensions?.code === "string" ? first.extensions.code : "INTERNAL_SERVER_ERROR";
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
    return new G2PError(code, `${code}: ${first.message}${more}`, { extensions: first.extensions ?? {}, errors, ...ctx });
  }
}

/**
 * Narrowing check: `isG2PError(err)` for any client error, `isG2PError(err, "FORBIDDEN")` for one code
 * (matched against every error of the response, not only the first).
 */
export function isG2PError(err: unknown, code?: G2PErrorCode | (string & {})): err is G2PError {
  if (!(err instanceof G2PError)) return false;
  return code === undefined || err.has(code);
}
