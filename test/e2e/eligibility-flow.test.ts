/**
 * Eligibility through the whole graph: the eligibility subgraph reads registrants from the real
 * registry subgraph through the gateway (service token, pages), evaluates, generates a cycle's
 * entitlements and walks the approval — every call a partner makes goes through the gateway.
 */
import { AuditEntry, codesOf, dataOf } from "@g2p/kit";
import { resetEligibilityConfig, resetRegistrySource } from "@g2p/eligibility";
import { startStack, type Stack } from "../src";

const PM = { role: "program_manager" as const, sub: "pm-e2e" };
const APPROVER = { role: "approver" as const, sub: "approver-e2e" };

describe("eligibility over the unified graph", () => {
  let stack: Stack;
  const groups: string[] = [];
  const individuals: string[] = [];
  const saved = { GRAPH_URL: process.env.GRAPH_URL, REGISTRY_PAGE_SIZE: process.env.REGISTRY_PAGE_SIZE };

  beforeAll(async () => {
    stack = await startStack();
    // The gateway's URL is known only now: eligibility reads its settings lazily.
    process.env.GRAPH_URL = stack.gatewayUrl;
    process.env.REGISTRY_PAGE_SIZE = "3";
    resetEligibilityConfig();
    resetRegistrySource();
    const create = `mutation ($i: CreateRegistrantInput!) { createRegistrant(input: $i) { id } }`;
    for (let i = 0; i < 7; i++) {
      groups.push(dataOf(await stack.request(create, { i: { kind: "GROUP", groupName: `Household ${i}` } }, { role: "registrar" })).createRegistrant.id);
    }
    for (let i = 0; i < 3; i++) {
      individuals.push(dataOf(await stack.request(create, { i: { kind: "INDIVIDUAL", givenName: `Person ${i}` } }, { role: "registrar" })).createRegistrant.id);
    }
  });
  afterAll(async () => {
    process.env.GRAPH_URL = saved.GRAPH_URL;
    process.env.REGISTRY_PAGE_SIZE = saved.REGISTRY_PAGE_SIZE;
    if (saved.GRAPH_URL === undefined) delete process.env.GRAPH_URL;
    if (saved.REGISTRY_PAGE_SIZE === undefined) delete process.env.REGISTRY_PAGE_SIZE;
    resetEligibilityConfig();
    resetRegistrySource();
    await stack?.stop();
  });

  async function waitRun(runId: string) {
    const q = `query ($id: ID!) { programRun(id: $id) { jobId status totalChunks doneChunks processed eligible notEligible errors created error } }`;
    const { jobId } = dataOf(await stack.request(q, { id: runId }, PM)).programRun;
    await stack.subgraphs.eligibility!.jobs.waitFor(jobId, 30_000);
    return dataOf(await stack.request(q, { id: runId }, PM)).programRun;
  }

  it("evaluates, generates entitlements and approves a cycle, reading the registry only through the gateway", async () => {
    const program = dataOf(
      await stack.request(
        `mutation ($i: CreateProgramInput!) { createProgram(input: $i) { id } }`,
        {
          i: {
            name: "Household grant",
            target: "GROUP",
            currency: "KES",
            criteria: [{ name: "is a household", expression: 'registrant.kind == "GROUP" && has(household.size)' }],
            entitlementFormula: { baseAmount: "500.00", perMemberAmount: "50.00", memberCap: 4, feeAmount: "2.50", validityDays: 31 },
          },
        },
        PM,
      ),
    ).createProgram;

    // A rule's validation error keeps its code and position through the gateway.
    const bad = await stack.request(
      `mutation ($id: ID!) { configureProgram(id: $id, input: { criteria: [{ name: "x", expression: "registrant.salary > 1" }] }) { id } }`,
      { id: program.id },
      PM,
    );
    expect(codesOf(bad)).toEqual(["BAD_USER_INPUT"]);
    expect(bad.errors![0]!.extensions).toMatchObject({ attribute: "registrant.salary", position: { start: 11, line: 1, column: 12 } });

    const cycle = dataOf(
      await stack.request(`mutation ($i: CreateCycleInput!) { createCycle(input: $i) { id } }`, { i: { programId: program.id, name: "March", startDate: "2026-03-01", endDate: "2026-03-31" } }, PM),
    ).createCycle;
    const check = dataOf(await stack.request(`mutation ($c: ID!) { checkCycleEligibility(cycleId: $c, chunks: 3) { id } }`, { c: cycle.id }, PM)).checkCycleEligibility;
    const evaluated = await waitRun(check.id);
    expect(evaluated).toMatchObject({ status: "COMPLETED", totalChunks: 3, doneChunks: 3, processed: 7, eligible: 7, notEligible: 0, errors: 0, error: null });

    const gen = dataOf(await stack.request(`mutation ($c: ID!) { generateEntitlements(cycleId: $c) { id } }`, { c: cycle.id }, PM)).generateEntitlements;
    expect(await waitRun(gen.id)).toMatchObject({ status: "COMPLETED", created: 7 });
    // the registry sends no members yet: members = 0, so each entitlement is the base amount
    const totals = `query ($c: ID!) { cycle(id: $c) { state totals { entitlements totalAmount totalFee } program { name } } }`;
    expect(dataOf(await stack.request(totals, { c: cycle.id }, PM)).cycle).toEqual({
      state: "DRAFT",
      totals: { entitlements: 7, totalAmount: "3500.00", totalFee: "17.50" },
      program: { name: "Household grant" },
    });

    dataOf(await stack.request(`mutation ($c: ID!) { submitCycle(cycleId: $c) { state } }`, { c: cycle.id }, PM));
    expect(codesOf(await stack.request(`mutation ($c: ID!) { approveCycle(cycleId: $c) { state } }`, { c: cycle.id }, { role: "approver", sub: "pm-e2e" }))).toEqual(["FORBIDDEN"]);
    expect(dataOf(await stack.request(`mutation ($c: ID!) { approveCycle(cycleId: $c) { state } }`, { c: cycle.id }, APPROVER)).approveCycle.state).toBe("APPROVED");
    const payable = dataOf(await stack.request(`query ($c: ID!) { payableEntitlements(cycleId: $c, first: 10) { totalCount nodes { registrantId amount } } }`, { c: cycle.id }, { role: "finance_officer" })).payableEntitlements;
    expect(payable.totalCount).toBe(7);
    expect(payable.nodes.map((n: { registrantId: string }) => n.registrantId).sort()).toEqual([...groups].sort());

    // a registrant's enrollments and decisions, from the registry's own Registrant
    const { registrant } = dataOf(
      await stack.request(`query ($id: ID!) { registrant(id: $id) { id kind enrollments { state explanation { eligible criteria { name passed } } program { name } } } }`, { id: groups[0] }, PM),
    );
    expect(registrant).toEqual({
      id: groups[0],
      kind: "GROUP",
      enrollments: [{ state: "ENROLLED", explanation: { eligible: true, criteria: [{ name: "is a household", passed: true }] }, program: { name: "Household grant" } }],
    });
    const approvals = await stack.subgraphs.eligibility!.orm.em.fork().find(AuditEntry, { entityType: "Cycle", entityId: cycle.id, action: "cycle.approve" });
    expect(approvals.map((a) => a.actor)).toEqual(["approver-e2e"]);
  });

  it("records a per-registrant error when a rule reads a value the registry does not have", async () => {
    const program = dataOf(
      await stack.request(
        `mutation ($i: CreateProgramInput!) { createProgram(input: $i) { id } }`,
        { i: { name: "Old-age pension", target: "INDIVIDUAL", currency: "KES", criteria: [{ name: "over 65", expression: "registrant.age >= 65" }] } },
        PM,
      ),
    ).createProgram;
    const run = dataOf(await stack.request(`mutation ($p: ID!) { evaluateProgram(programId: $p, chunks: 2) { id } }`, { p: program.id }, PM)).evaluateProgram;
    const done = await waitRun(run.id);
    // the job completes; each individual without a birth date is an error of its own, not a failure of the run
    expect(done).toMatchObject({ status: "COMPLETED", processed: 3, eligible: 0, errors: 3 });
    const failures = dataOf(await stack.request(`query ($id: ID!) { programRun(id: $id) { failures { registrantId state evaluationError } } }`, { id: run.id }, PM)).programRun.failures;
    expect(failures.map((f: { registrantId: string }) => f.registrantId).sort()).toEqual([...individuals].sort());
    expect(failures[0].evaluationError).toMatch(/criterion "over 65": No such key: age/);
  });
});
