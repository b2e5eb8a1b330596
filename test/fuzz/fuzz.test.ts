/**
 * Bad-input fuzzing through the gateway (issue 9), with fast-check:
 *  - every mutation of schema/supergraph.graphql, with generated arguments (right shapes, wrong
 *    types, nulls, hostile/huge/unicode strings, extreme numbers, deep nesting);
 *  - random GraphQL documents over Query (real fields, unknown ones, literals, aliases, deep nesting);
 *  - malformed HTTP bodies.
 * Invariants (oracle.ts): never a 5xx, a JSON body, every error has extensions.code and none is
 * INTERNAL_SERVER_ERROR; a refused mutation leaves every table of every subgraph as it was; and
 * every process still answers at the end.
 *
 * Short by default (about a minute in `npm test`). Long runs: FUZZ_RUNS=200 (runs per mutation;
 * documents and bodies scale with it), FUZZ_SEED=n to replay a failure; CI uses a fixed seed.
 */
import fc from "fast-check";
import { dataOf, userError, type Role } from "@g2p/kit";
import { subgraph as registry } from "@g2p/registry";
import { getNamedType, type GraphQLField } from "graphql";
import { startStack, type Stack } from "../src";
import { documentArb, loadSupergraphSchema, mutationCallArb, type MutationCall } from "./arbitraries";
import { authHeader, diffCounts, knownBugHits, post, problemsOf, quietCounts, rowCounts, type RowCounts } from "./oracle";

const RUNS = Number(process.env.FUZZ_RUNS ?? 4);
// CI replays one fixed seed, so a landing is never decided by luck; elsewhere every run explores new
// inputs (FUZZ_SEED=random forces that in CI too; FUZZ_SEED=n replays a failure).
const CI_SEED = -1877935154;
const SEED = process.env.FUZZ_SEED === "random" ? undefined : process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : process.env.CI ? CI_SEED : undefined;
/** Wall-clock budget of the whole file's properties (ms); FUZZ_RUNS long runs raise it with them. */
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_S ?? (process.env.FUZZ_RUNS ? 3_600 : 60)) * 1000;
const params = (numRuns: number) => ({ numRuns, seed: SEED, endOnFailure: true, verbose: 1 as const });
/**
 * A property that, once its share of the budget is spent, passes the remaining runs without sending
 * them (the first run always goes out). Shrinking of a failure found in time is unaffected.
 */
function withinBudget<A extends unknown[]>(shareMs: number, body: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  let deadline = 0;
  let ran = 0;
  return async (...args: A) => {
    if (!deadline) deadline = Date.now() + shareMs;
    if (ran > 0 && Date.now() > deadline) return;
    ran++;
    await body(...args);
  };
}

const schema = loadSupergraphSchema();
const mutationFields = Object.values(schema.getMutationType()!.getFields()) as GraphQLField<unknown, unknown>[];
/** Roles a call is made as: mostly admin (to reach the resolvers' own validation). */
const roleArb = fc.constantFrom<Role | null>("admin", "admin", "admin", "admin", "registrar", "program_manager", "finance_officer", "partner", "merchant", null);

describe("fuzzing every input through the gateway", () => {
  let stack: Stack;
  let baseline: RowCounts;
  const tally = { calls: 0, refused: 0, accepted: 0, http4xx: 0, requestMs: 0, countMs: 0 };

  beforeAll(async () => {
    stack = await startStack();
    // Something to act on, so that valid-looking ids sometimes meet real rows.
    dataOf(await stack.request(`mutation { createRegistrant(input: { kind: GROUP, groupName: "Fuzz household" }) { id } }`, {}, { role: "admin" }));
    dataOf(await stack.request(`mutation { createProgram(input: { name: "Fuzz", target: INDIVIDUAL, currency: "KES" }) { id } }`, {}, { role: "admin" }));
    baseline = await quietCounts(stack);
  }, 120_000);
  afterAll(async () => {
    console.log(
      `fuzz: ${tally.calls} mutation calls (${tally.accepted} accepted, ${tally.refused} refused, ${tally.http4xx} HTTP 4xx; ${tally.requestMs} ms in requests, ${tally.countMs} ms counting rows), up to ${RUNS} runs per mutation${SEED === undefined ? "" : `, seed ${SEED}`}; known bugs hit ${JSON.stringify(knownBugHits)}`,
    );
    await stack?.stop();
  }, 60_000);

  /** One mutation call: the answer's invariants, then the tables unchanged if it was refused. */
  async function callAndCheck(call: MutationCall, role: Role | null): Promise<void> {
    const before = baseline;
    const t0 = Date.now();
    const x = await post(stack.gatewayUrl, JSON.stringify({ query: call.query, variables: call.variables }), await authHeader(role));
    const t1 = Date.now();
    tally.requestMs += t1 - t0;
    tally.calls++;
    const problems = problemsOf(x);
    const accepted = x.body?.data?.[call.field] != null;
    if (x.status >= 400) tally.http4xx++;
    if (accepted) {
      tally.accepted++;
      baseline = await quietCounts(stack);
    } else {
      tally.refused++;
      const after = await rowCounts(stack);
      const changed = diffCounts(before, after);
      if (changed.length) {
        // Background work of an earlier accepted call may still be landing: settle, compare again.
        const settled = await quietCounts(stack);
        const stillChanged = diffCounts(before, settled);
        baseline = settled;
        if (stillChanged.length && diffCounts(after, settled).length === 0) problems.push(`refused, yet rows changed: ${stillChanged.join("; ")}`);
      }
    }
    tally.countMs += Date.now() - t1;
    if (problems.length) {
      const shown = JSON.stringify(call.variables, (_k, v) => (typeof v === "string" && v.length > 200 ? `${v.slice(0, 200)}…(${v.length})` : v)).slice(0, 2_000);
      throw new Error(`${call.field} as ${role ?? "anonymous"}: ${problems.join(" | ")}\n${call.query}\nvariables: ${shown}\n--> ${x.status} ${x.text.slice(0, 1_000)}`);
    }
  }

  it.each(mutationFields.map((f) => [f.name, f] as const))("Mutation.%s: bad input is refused cleanly", async (_name, field) => {
    baseline = await quietCounts(stack); // queries may write too (e.g. a signing key created on first use)
    await fc.assert(fc.asyncProperty(mutationCallArb(schema, field), roleArb, withinBudget((BUDGET_MS * 0.6) / mutationFields.length, callAndCheck)), params(RUNS));
  }, 60_000 + BUDGET_MS);

  it("random GraphQL documents: no 5xx, every error coded", async () => {
    await fc.assert(
      fc.asyncProperty(
        documentArb(schema),
        roleArb,
        withinBudget(BUDGET_MS * 0.2, async (query, role) => {
          const x = await post(stack.gatewayUrl, JSON.stringify({ query }), await authHeader(role));
          const problems = problemsOf(x);
          if (problems.length) throw new Error(`${problems.join(" | ")}\n${query.slice(0, 2_000)}\n--> ${x.status} ${x.text.slice(0, 1_000)}`);
        }),
      ),
      params(RUNS * 50),
    );
  }, 60_000 + BUDGET_MS);

  it("malformed HTTP bodies: no 5xx, a coded answer", async () => {
    const body = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.record({ query: fc.jsonValue({ maxDepth: 2 }), variables: fc.jsonValue({ maxDepth: 2 }), operationName: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
      fc.record({ query: fc.constant("query ($x: Int!) { registrants(first: $x) { totalCount } }"), variables: fc.jsonValue({ maxDepth: 2 }) }).map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(
        body,
        roleArb,
        withinBudget(BUDGET_MS * 0.1, async (raw, role) => {
          const x = await post(stack.gatewayUrl, raw, await authHeader(role));
          const problems = problemsOf(x);
          if (problems.length) throw new Error(`${problems.join(" | ")}\nbody: ${raw.slice(0, 500)}\n--> ${x.status} ${x.text.slice(0, 500)}`);
        }),
      ),
      params(RUNS * 25),
    );
  }, 60_000 + BUDGET_MS);

  it("every process still answers afterwards", async () => {
    const res = await stack.request(
      `{ registrants(first: 3) { totalCount nodes { id identity { status } enrollments { state } payments { amount } vouchers { status } } } }`,
      {},
      { role: "admin" },
    );
    expect(res.errors ?? []).toEqual([]);
    expect((await fetch(stack.gatewayUrl.replace(/\/graphql$/, "/health"))).status).toBe(200);
  }, 60_000);

  describe("the oracle catches a deliberately broken resolver", () => {
    // registry's defineIdType, patched at run time (type-graphql looks the method up per call).
    const settings = () => (registry.resolvers.find((r) => r.name === "SettingsResolver") as any).prototype;
    const field = mutationFields.find((f) => f.name === "defineIdType")!;
    const expectFailure = async () => {
      baseline = await quietCounts(stack);
      const outcome = await fc.check(fc.asyncProperty(mutationCallArb(schema, field), fc.constant<Role>("admin"), callAndCheck), { numRuns: 30, seed: 42 });
      expect(outcome.failed).toBe(true);
      return String((outcome.errorInstance as Error)?.message ?? "");
    };

    it("an unexpected exception (TypeError) on some input is reported", async () => {
      const spy = jest.spyOn(settings(), "defineIdType").mockImplementation(async () => {
        throw new TypeError("cannot read properties of undefined");
      });
      try {
        expect(await expectFailure()).toMatch(/INTERNAL_SERVER_ERROR/);
      } finally {
        spy.mockRestore();
        baseline = await quietCounts(stack);
      }
    }, 120_000);

    it("a half-written refusal (row saved, then an error) is reported", async () => {
      const proto = settings();
      const original = proto.defineIdType;
      let n = 0;
      const spy = jest.spyOn(proto, "defineIdType").mockImplementation(async function (this: unknown, ...args: unknown[]) {
        // Saves a valid id type whatever the input, then refuses: a write that outlives its refusal.
        await original.call(this, `FUZZ_BROKEN_${n++}`, null, null, args[3]);
        throw userError("BAD_USER_INPUT", "refused after writing");
      });
      try {
        expect(await expectFailure()).toMatch(/refused, yet rows changed: registry\.IdType/);
      } finally {
        spy.mockRestore();
        baseline = await quietCounts(stack);
      }
    }, 120_000);
  });

  it("covers every mutation of the supergraph", () => {
    expect(mutationFields.length).toBeGreaterThan(60);
    expect(mutationFields.map((f) => getNamedType(f.type).name)).toContain("Registrant");
  });
});
