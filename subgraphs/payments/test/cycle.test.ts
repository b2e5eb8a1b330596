import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { codesOf, dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";
import { Payment } from "../src/entities/payment.entity";
import { FINANCE } from "./helpers";

/**
 * Eligibility is reached through the graph only. This stands in for the gateway with eligibility's
 * published contract (`cycle`, `payableEntitlements` in schema/subgraphs/eligibility.graphql), so the
 * payments side is tested on its own; the cross-subgraph e2e waits for eligibility's rebuild to land.
 */
function fakeGraph(cycles: Record<string, { state: string; programId: string; entitlements: object[] }>) {
  const seen: { auth: string | undefined; query: string; variables: any }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const { query, variables } = JSON.parse(body);
      seen.push({ auth: req.headers.authorization, query, variables });
      const cycle = cycles[variables.id];
      let answer: object;
      if (!cycle) answer = { errors: [{ message: `Cycle ${variables.id} not found`, extensions: { code: "NOT_FOUND" } }] };
      else if (/payableEntitlements/.test(query)) {
        const start = variables.after ? Number(variables.after) : 0;
        const nodes = cycle.entitlements.slice(start, start + 2); // small pages, to exercise paging
        const hasNextPage = start + 2 < cycle.entitlements.length;
        answer = { data: { payableEntitlements: { pageInfo: { hasNextPage, endCursor: hasNextPage ? String(start + 2) : null }, nodes } } };
      } else answer = { data: { cycle: { id: variables.id, state: cycle.state, programId: cycle.programId } } };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer));
    });
  });
  return { server, seen };
}

describe("batch from an approved eligibility cycle (through the graph)", () => {
  let sg: TestSubgraph;
  const { server, seen } = fakeGraph({
    "cycle-ok": {
      state: "APPROVED",
      programId: "prog-1",
      entitlements: [
        { id: "ent-a", registrantId: randomUUID(), amount: "100.00", currency: "KES" },
        { id: "ent-b", registrantId: randomUUID(), amount: "250.50", currency: "KES" },
        { id: "ent-c", registrantId: randomUUID(), amount: "0.00", currency: "KES" },
      ],
    },
    "cycle-draft": { state: "TO_APPROVE", programId: "prog-1", entitlements: [] },
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    sg = await startTestSubgraph(subgraph, { GRAPH_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` });
  });
  afterAll(async () => {
    await sg.stop();
    server.close();
  });

  const FROM = `mutation ($c: ID!) { createDisbursementBatchFromCycle(cycleId: $c) { id clientCorrelationId programCode paymentCount totalAmount } }`;

  it("pays each cash entitlement once, as the service role; asking again returns the same batch", async () => {
    const batch = dataOf(await sg.request(FROM, { c: "cycle-ok" }, FINANCE)).createDisbursementBatchFromCycle;
    expect(batch).toMatchObject({ clientCorrelationId: "cycle:cycle-ok", programCode: "prog-1", paymentCount: 2, totalAmount: "350.50" });
    const rows = await sg.orm.em.fork().find(Payment, { batchId: batch.id }, { orderBy: { seq: "asc" } });
    expect(rows.map((r) => [r.entitlementId, r.instructionId, r.amount])).toEqual([
      ["ent-a", "ent-a", "100.00"],
      ["ent-b", "ent-b", "250.50"],
    ]);
    expect(seen.every((s) => /^Bearer /.test(s.auth ?? ""))).toBe(true);
    expect(seen.filter((s) => /payableEntitlements/.test(s.query))).toHaveLength(2);
    expect(dataOf(await sg.request(FROM, { c: "cycle-ok" }, FINANCE)).createDisbursementBatchFromCycle.id).toBe(batch.id);
  });

  it("refuses a cycle that is not approved, an unknown one, and callers without payment:write", async () => {
    expect(codesOf(await sg.request(FROM, { c: "cycle-draft" }, FINANCE))).toEqual(["CONFLICT"]);
    expect(codesOf(await sg.request(FROM, { c: "nope" }, FINANCE))).toEqual(["NOT_FOUND"]);
    expect(codesOf(await sg.request(FROM, { c: "cycle-ok" }, { role: "auditor" }))).toEqual(["FORBIDDEN"]);
  });
});
