/**
 * What the fuzz tests check on every exchange with the gateway, and the row counts that show a
 * refused mutation wrote nothing.
 */
import { tokenFor, type Role } from "@g2p/kit";
import type { Stack, SubgraphName } from "../src";

export interface Exchange {
  status: number;
  text: string;
  body: any;
}

export async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Exchange> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const text = await res.text();
  let parsed: any = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    // checked by the caller
  }
  return { status: res.status, text, body: parsed };
}

const tokens = new Map<string, string>();
export async function authHeader(role: Role | null): Promise<Record<string, string>> {
  if (!role) return {};
  if (!tokens.has(role)) tokens.set(role, await tokenFor(role, { sub: `fuzz-${role}` }));
  return { authorization: `Bearer ${tokens.get(role)}` };
}

/**
 * Known bugs, reported and skipped in `known-bugs.test.ts`: an error matching one of these is
 * counted (printed at the end) instead of failing the run, unless FUZZ_STRICT=1.
 */
// Bugs found and not fixed yet, tolerated (counted) unless FUZZ_STRICT=1. Empty: the one found so far
// (non-uuid ids on PostgreSQL) is fixed and kept as a test in known-bugs.test.ts.
export const KNOWN_BUGS: { id: string; message: RegExp }[] = [];
export const knownBugHits: Record<string, number> = {};
const STRICT = process.env.FUZZ_STRICT === "1";

/**
 * The invariants of any answer: no 5xx, a JSON body, every error with an `extensions.code`, and no
 * INTERNAL_SERVER_ERROR (bad input is the caller's fault and must be named as such; an unexpected
 * exception on bad input is a bug). Returns the problems found (empty = fine).
 */
export function problemsOf(x: Exchange): string[] {
  const problems: string[] = [];
  if (x.status >= 500) problems.push(`HTTP ${x.status}`);
  if (x.body === undefined || x.body === null || typeof x.body !== "object") {
    problems.push(`body is not a JSON object (HTTP ${x.status})`);
    return problems;
  }
  const errors: any[] = Array.isArray(x.body.errors) ? x.body.errors : [];
  if (x.body.errors !== undefined && !Array.isArray(x.body.errors)) problems.push("errors is not an array");
  if (!errors.length && x.body.data == null) problems.push("neither data nor errors");
  for (const e of errors) {
    const code = e?.extensions?.code;
    if (typeof code !== "string" || !code) problems.push(`error without extensions.code: ${JSON.stringify(e).slice(0, 300)}`);
    else if (code === "INTERNAL_SERVER_ERROR") {
      const known = STRICT ? undefined : KNOWN_BUGS.find((b) => b.message.test(String(e.message)));
      if (known) knownBugHits[known.id] = (knownBugHits[known.id] ?? 0) + 1;
      else problems.push(`INTERNAL_SERVER_ERROR: ${String(e.message).slice(0, 300)}`);
    }
  }
  return problems;
}

export type RowCounts = Record<string, number>;
const tables = new WeakMap<object, { key: string; table: string }[]>();

/** Rows of every entity table of every in-process subgraph ("registry.Registrant": 12, ...). */
export async function rowCounts(stack: Stack): Promise<RowCounts> {
  const out: RowCounts = {};
  await Promise.all(
    (Object.keys(stack.subgraphs) as SubgraphName[]).map(async (name) => {
      const orm = stack.subgraphs[name]!.orm;
      let plan = tables.get(orm);
      if (!plan) {
        // First time: find the entity tables that exist (an entity may have no migration yet).
        const em = orm.em.fork();
        const schema = orm.config.get("schema");
        plan = [];
        for (const meta of Object.values(orm.getMetadata().getAll())) {
          if (meta.embeddable || meta.virtual || meta.abstract || !meta.tableName || meta.pivotTable) continue;
          try {
            await em.count(meta.class, {}, { filters: false });
            plan.push({ key: `${name}.${meta.className}`, table: schema ? `"${schema}"."${meta.tableName}"` : `"${meta.tableName}"` });
          } catch (err) {
            if ((err as Error).name !== "TableNotFoundException") throw err;
          }
        }
        tables.set(orm, plan);
      }
      // Then one statement per subgraph.
      const sql = plan.map((t, i) => `select ${i} as i, count(*) as c from ${t.table}`).join(" union all ");
      const rows: { i: number | string; c: number | string }[] = await orm.em.getConnection().execute(sql);
      for (const r of rows) out[plan[Number(r.i)]!.key] = Number(r.c);
    }),
  );
  return out;
}

export function diffCounts(before: RowCounts, after: RowCounts): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).map((k) => `${k}: ${before[k]} → ${after[k]}`);
}

/** Counts once background work (jobs started by earlier successful mutations) has settled. */
export async function quietCounts(stack: Stack, maxWaitMs = 3_000): Promise<RowCounts> {
  const deadline = Date.now() + maxWaitMs;
  let prev = await rowCounts(stack);
  for (;;) {
    await new Promise((r) => setTimeout(r, 30));
    const next = await rowCounts(stack);
    if (diffCounts(prev, next).length === 0 || Date.now() > deadline) return next;
    prev = next;
  }
}
