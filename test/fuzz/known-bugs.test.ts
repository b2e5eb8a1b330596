/**
 * Bugs the fuzzer found, kept as regression tests once fixed.
 *
 * non-uuid-id-on-postgres (fixed in kit/errors.ts translateDriverError): on PostgreSQL an `ID!`
 * argument that is not a UUID reached a `uuid` column; PostgreSQL refused it (22P02) and the caller
 * got INTERNAL_SERVER_ERROR with the SQL in the message. It is NOT_FOUND now, as on SQLite, for every
 * lookup by id in all five blocks.
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
});
