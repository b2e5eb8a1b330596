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
  SERVICE_UNAVAILABLE: { status: 503, description: "The block cannot reach its database right now; retry later. Nothing was written." },
  MALFORMED_FILE: { status: 400, description: "A bank or provider file (ISO 20022 XML, MT940) is not well-formed or not the message expected; `extensions.detail` says where; nothing was written." },
  RETRY_LATER: { status: 503, description: "A provider callback arrived before the state it settles was recorded; nothing changed, send it again later." },
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

/** PostgreSQL SQLSTATEs of a value that does not fit its column: the caller's input, not our bug. */
const BAD_VALUE_STATES = new Set(["22P02", "22001", "22003", "22007", "22008", "22021"]);
/** Connection lost or refused, server shutting down or starting: retry later. */
const UNAVAILABLE_STATES = new Set(["08000", "08001", "08003", "08006", "57P01", "57P02", "57P03"]);
const UNAVAILABLE_ERRNOS = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND"]);
/** The database is there but refused this statement for now (lock, busy, serialization): retry. */
const BUSY_STATES = new Set(["SQLITE_BUSY", "SQLITE_LOCKED", "40001", "40P01", "55P03"]);

/** The database driver's error behind a resolver's error, if there is one (MikroORM keeps `code`). */
function driverErrorOf(error: unknown): { code?: string; message: string; name: string } | null {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as { code?: unknown; message?: unknown; name?: unknown; originalError?: unknown; cause?: unknown };
    if (typeof e.code === "string" && (BAD_VALUE_STATES.has(e.code) || UNAVAILABLE_STATES.has(e.code) || UNAVAILABLE_ERRNOS.has(e.code) || BUSY_STATES.has(e.code))) {
      return { code: e.code, message: String(e.message ?? ""), name: String(e.name ?? "") };
    }
    if (e.name === "ConnectionException" || /Connection terminated|connection timeout|Client has encountered a connection error/i.test(String(e.message ?? ""))) {
      return { code: "08006", message: String(e.message ?? ""), name: String(e.name ?? "") };
    }
    current = e.originalError ?? e.cause;
  }
  return null;
}

/**
 * What a database error means to the caller: an id that is not a UUID cannot exist (NOT_FOUND, as
 * SQLite answers, which stores ids as text); any other value that does not fit its column is
 * BAD_USER_INPUT; a lost database is SERVICE_UNAVAILABLE. The SQL is never shown.
 */
export function translateDriverError(error: unknown): { code: ErrorCode; message: string } | null {
  const driver = driverErrorOf(error);
  if (!driver) return null;
  if (driver.code === "22P02" && /type uuid/i.test(driver.message)) return { code: "NOT_FOUND", message: "No record with that id (not a valid id)" };
  if (BAD_VALUE_STATES.has(driver.code!)) return { code: "BAD_USER_INPUT", message: "A value does not fit its field (wrong format, too long or out of range)" };
  // Its statement (with its values) is never shown, in development either: it may hold personal data.
  if (BUSY_STATES.has(driver.code!)) return { code: "SERVICE_UNAVAILABLE", message: "The database is busy; retry later" };
  return { code: "SERVICE_UNAVAILABLE", message: "The service cannot reach its database right now; retry later" };
}

/**
 * Apollo `formatError`: database errors are first translated (translateDriverError); in production an error whose code is not one we chose to show is replaced
 * by a bare INTERNAL_SERVER_ERROR, and no error carries a stack trace or exception details.
 */
export function createErrorFormatter(opts: { production: boolean; onUnexpected?: (err: unknown) => void }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // Only an error nobody classified is looked at: the gateway's SUBGRAPH_UNAVAILABLE also carries an
    // ECONNREFUSED underneath, and that is a subgraph down, not a database.
    const classified = isKnownCode(formatted.extensions?.code) && formatted.extensions?.code !== "INTERNAL_SERVER_ERROR";
    const translated = classified ? null : translateDriverError(error);
    if (translated) {
      if (translated.code === "SERVICE_UNAVAILABLE") opts.onUnexpected?.(error);
      return { message: translated.message, path: formatted.path, locations: formatted.locations, extensions: { code: translated.code } };
    }
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
