/**
 * Bugs the fuzzer found, kept as regression tests once fixed.
 *
 * non-uuid-id-on-postgres (fixed in kit/errors.ts translateDriverError): on PostgreSQL an `ID!`
 * argument that is not a UUID reached a `uuid` column; PostgreSQL refused it (22P02) and the caller
 * got INTERNAL_SERVER_ERROR with the SQL in the message. It is NOT_FOUND now, as on SQLite, for every
 * lookup by id in all five blocks.
 *
 * nul-in-text (fixed in kit/nul-guard.ts): a string argument containing U+0000 broke the SQL on
 * SQLite ("unrecognized token") and is refused by PostgreSQL in text columns: INTERNAL_SERVER_ERROR.
 * Every block now refuses it as BAD_USER_INPUT before any resolver runs.
 */
import { codesOf } from "@g2p/kit";
import { startStack, type Stack } from "../src";

describe("bugs found by fuzzing", () => {
  let stack: Stack | undefined;
  afterAll(() => stack?.stop());

  it("non-uuid-id-on-postgres: an id that is not a UUID is NOT_FOUND, not INTERNAL_SERVER_ERROR", async () => {
    stack = await startStack();
    const admin = { role: "admin" as const };
    for (const [query, variables] of [
      [`mutation ($id: ID!) { cancelCycle(cycleId: $id, reason: "x") { id } }`, { id: "13" }],
      [`mutation ($id: ID!) { revokeVid(id: $id) { id } }`, { id: "13" }],
      [`mutation ($id: ID!) { reconcileDisbursementBatch(id: $id) { id } }`, { id: "13" }],
      [`mutation ($id: ID!) { dismissDuplicate(candidateId: $id) { id } }`, { id: "13" }],
      [`mutation ($id: ID!) { setMerchantStatus(id: $id, status: APPROVED) { id } }`, { id: "13" }],
    ] as const) {
      expect([query, codesOf(await stack.request(query, variables, admin))]).toEqual([query, ["NOT_FOUND"]]);
    }
  }, 120_000);

  it("nul-in-text: a NUL character in a variable or a literal is BAD_USER_INPUT, and nothing is written", async () => {
    stack ??= await startStack();
    const admin = { role: "admin" as const };
    const suspend = await stack.request(`mutation ($s: [String!]!) { suspendVouchers(reason: "x", serialNumbers: $s) { ok } }`, { s: ["\u0000", ""] }, admin);
    expect(codesOf(suspend)).toEqual(["BAD_USER_INPUT"]);
    const literal = await stack.request(`mutation { createRegistrant(input: { kind: INDIVIDUAL, givenName: "A\\u0000B" }) { id } }`, {}, admin);
    expect(codesOf(literal)).toEqual(["BAD_USER_INPUT"]);
    const count = await stack.request(`{ registrants { totalCount } }`, {}, admin);
    expect(count.data.registrants.totalCount).toBe(0);
  }, 120_000);
});
