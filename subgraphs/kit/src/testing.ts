/**
 * Helpers for tests that need a real database: a fresh in-memory SQLite by default, or a fresh
 * PostgreSQL database (created and dropped here) when DATABASE_URL is set.
 */
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import type { Logger } from "pino";
import { signDevToken } from "./auth/tokens";
import type { Role } from "./auth/roles";
import { startSubgraph, type RunningSubgraph, type SubgraphDefinition } from "./subgraph";

export interface TestDatabase {
  /** undefined = SQLite in memory. */
  databaseUrl?: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(baseUrl = process.env.DATABASE_URL): Promise<TestDatabase> {
  if (!baseUrl) return { databaseUrl: undefined, drop: async () => {} };
  const name = `g2p_test_${randomBytes(6).toString("hex")}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    async drop() {
      const c = new Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Calling a GraphQL endpoint in tests: the result keeps the request, so a failing assertion can
// print exactly what was sent and what came back.


export interface GraphQLResult<T = any> {
  status: number;
  data: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  /** The request and raw response, for failure messages. */
  dump: string;
}

export type Caller = { token?: string; role?: Role; sub?: string; partnerId?: string; programIds?: string[] } | undefined;

export async function tokenFor(role: Role, extra: { sub?: string; partnerId?: string; programIds?: string[] } = {}): Promise<string> {
  return signDevToken({ sub: extra.sub ?? `test-${role}`, roles: [role], partnerId: extra.partnerId, programIds: extra.programIds });
}

export async function graphqlRequest<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  caller: Caller = undefined,
  headers: Record<string, string> = {},
): Promise<GraphQLResult<T>> {
  const token = caller?.token ?? (caller?.role ? await tokenFor(caller.role, caller) : undefined);
  const requestHeaders: Record<string, string> = { "content-type": "application/json", ...headers };
  if (token) requestHeaders.authorization = `Bearer ${token}`;
  const res = await fetch(url, { method: "POST", headers: requestHeaders, body: JSON.stringify({ query, variables }) });
  const text = await res.text();
  const dump = `POST ${url}\n${query.trim()}\nvariables: ${JSON.stringify(variables)}\n--> ${res.status}\n${text}`;
  let body: { data?: T; errors?: GraphQLResult["errors"] } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the dump
  }
  return { status: res.status, data: body.data ?? null, errors: body.errors, dump };
}

/** The data of a result that must have no errors; otherwise throws with the full exchange. */
export function dataOf<T>(result: GraphQLResult<T>): T {
  if (result.errors?.length || result.data == null) throw new Error(`GraphQL request failed:\n${result.dump}`);
  return result.data;
}

/** The error codes of a result, in order. */
export function codesOf(result: GraphQLResult): string[] {
  return (result.errors ?? []).map((e) => String(e.extensions?.code));
}

export interface TestSubgraph extends RunningSubgraph {
  /** Every SQL statement run so far (clear it with `sql.length = 0`). */
  sql: string[];
  request<T = any>(query: string, variables?: Record<string, unknown>, caller?: Caller): Promise<GraphQLResult<T>>;
}

/** Starts a subgraph on port 0 over a fresh database (in-memory SQLite, or PostgreSQL if configured). */
export async function startTestSubgraph<L>(
  def: SubgraphDefinition<L>,
  env: Record<string, string> = {},
  opts: {
    logger?: Logger;
    /**
     * Keep every SQL statement in `sql` (default true, for N+1 assertions). Benchmarks turn it off:
     * MikroORM then formats every statement with its values for the log, and the array keeps them all
     * (hundreds of MB over a million-row run) — cost and memory production does not have.
     */
    recordSql?: boolean;
    /** A SQLite file instead of an in-memory database (large benchmark runs: the data stays off the heap). */
    sqlitePath?: string;
  } = {},
): Promise<TestSubgraph> {
  const db = await createTestDatabase();
  const sql: string[] = [];
  const recordSql = opts.recordSql ?? true;
  const running = await startSubgraph(def, {
    env: {
      ...process.env,
      PORT: "0",
      DATABASE_URL: db.databaseUrl ?? "",
      JOBS_QUEUE_PREFIX: `test-${randomBytes(4).toString("hex")}`,
      ...env,
    },
    sqlitePath: opts.sqlitePath ?? ":memory:",
    onQuery: recordSql ? (s) => sql.push(s) : undefined,
    logger: opts.logger,
  });
  return {
    ...running,
    sql,
    request: (query, variables, caller) => graphqlRequest(running.url, query, variables, caller),
    async stop() {
      await running.stop();
      await db.drop();
    },
  };
}
