/**
 * The one registry of error codes that reach a client in `extensions.code`. Every user-facing error
 * in every subgraph is made here, so codes stay stable and documented (docs/error-codes.md).
 */
import { GraphQLError, type GraphQLFormattedError } from "graphql";

export const ErrorCodes = {
  UNAUTHENTICATED: { status: 401, description: "No valid token: missing where required, malformed, expired or wrongly signed." },
  FORBIDDEN: { status: 403, description: "The caller's role or scope does not allow this operation or field." },
  BAD_USER_INPUT: { status: 400, description: "An argument failed validation; `extensions.field` names it." },
  NOT_FOUND: { status: 404, description: "The record asked for does not exist (or the caller may not know it exists)." },
  CONFLICT: { status: 409, description: "The change conflicts with the current state (duplicate key, wrong state transition)." },
  IDEMPOTENCY_MISMATCH: { status: 409, description: "The same idempotency key was reused with a different payload." },
  PAYLOAD_TOO_LARGE: { status: 413, description: "The request body is over the gateway's limit (BODY_LIMIT_BYTES)." },
  SUBGRAPH_UNAVAILABLE: { status: 200, description: "Gateway: a subgraph refused or dropped the connection; the response has partial data." },
  SUBGRAPH_TIMEOUT: { status: 200, description: "Gateway: a subgraph did not answer in time; the response has partial data." },
  MALFORMED_FILE: { status: 400, description: "A bank or provider file (ISO 20022 XML, MT940) is not well-formed or not the message expected; `extensions.detail` says where; nothing was written." },
  INTERNAL_SERVER_ERROR: { status: 500, description: "An unexpected failure; details are logged, never returned in production." },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** A user-facing error: a GraphQLError whose `extensions.code` comes from the registry. */
export function userError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const badInput = (message: string, field?: string) =>
  userError("BAD_USER_INPUT", message, field ? { field } : {});
export const notFound = (what: string, id: string) => userError("NOT_FOUND", `${what} ${id} not found`, { id });
export const forbidden = (message = "Not allowed") => userError("FORBIDDEN", message);
export const unauthenticated = (message = "Authentication required") =>
  userError("UNAUTHENTICATED", message, { http: { status: 401 } });

/** Codes Apollo Server itself produces for malformed requests; safe to show as they are. */
const APOLLO_SAFE_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
]);

export function isKnownCode(code: unknown): boolean {
  return typeof code === "string" && (code in ErrorCodes || APOLLO_SAFE_CODES.has(code));
}

/**
 * Apollo `formatError`: in production an error whose code is not one we chose to show is replaced
 * by a bare INTERNAL_SERVER_ERROR, and no error carries a stack trace or exception details.
 */
export function createErrorFormatter(opts: { production: boolean; onUnexpected?: (err: unknown) => void }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (!isKnownCode(code) || code === "INTERNAL_SERVER_ERROR") opts.onUnexpected?.(error);
    if (!opts.production) return formatted;
    if (!isKnownCode(code) || code === "INTERNAL_SERVER_ERROR") {
      return { message: "Internal server error", path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR" } };
    }
    const { stacktrace: _stack, exception: _exception, ...rest } = formatted.extensions ?? {};
    return { ...formatted, extensions: rest };
  };
}
