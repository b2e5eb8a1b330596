/**
 * The eligibility subgraph end to end in one process: rules saved and refused, a bulk evaluation job
 * over a generated population (the registry source is a page-by-page fake of the bulk contract; the
 * real registry through the gateway is in test/e2e/eligibility-*.test.ts), overrides, a cycle with
 * entitlements, and multi-stage approval with segregation of duties.
 */
process.env.ELIGIBILITY_EXTRA_ATTRIBUTES = "income:double,assets:int,hasLand:bool";
process.env.REGISTRY_PAGE_SIZE = "100";

import { AuditEntry, codesOf, dataOf, signDevToken, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { resetEligibilityConfig, setRegistrySource, subgraph } from "../src";
import { Population } from "../src/testing/population";

const PM = { role: "program_manager" as const, sub: "pm-1" };
const APPROVER = { role: "approver" as const, sub: "ap-1" };
const BOSS = { role: "admin" as const, sub: "boss" };
const FINANCE = { role: "finance_officer" as const, sub: "fin-1" };

const N = 600;
const CRITERIA = [
  { name: "has children", expression: "household.children >= 1" },
  { name: "low income", expression: "extra.income < 6000.0" },
];
const SCORING = {
  intercept: 0,
  threshold: 50,
  eligibleWhen: "AT_MOST",
  parts: [
    { name: "income", expression: "extra.income", weight: 0.01 },
    { name: "assets", expression: "extra.assets", weight: 2 },
    { name: "children", expression: "household.children", weight: -3 },
  ],
};
const FORMULA = { baseAmount: "100.00", perMemberAmount: "12.35", memberCap: 5, feeAmount: "0.75", validityDays: 30, items: [] };

describe("eligibility: rules, evaluation, cycles, approvals", () => {
  let sg: TestSubgraph;
  const population = new Population(N, 7);
  [3, 77, 512].forEach((i) => population.badIncome.add(i));

  /** Independent of the engine: what the program's rules decide for registrant i on 2026-01-01. */
  function expected(i: number): boolean | null {
    if (population.badIncome.has(i)) return null;
    const r = population.registrant(i);
    const extra = r.extra as { income: number; assets: number };
    const children = population.childrenOf(i);
    const score = extra.income * 0.01 + extra.assets * 2 - 3 * children;
    return children >= 1 && extra.income < 6000 && Math.round(score * 1e6) / 1e6 <= 50;
  }

  const gql = (q: string, v: Record<string, unknown>, caller: Parameters<TestSubgraph["request"]>[2]) => sg.request(q, v, caller);

  beforeAll(async () => {
    resetEligibilityConfig();
    setRegistrySource(population);
    sg = await startTestSubgraph(subgraph);
  });
  afterAll(async () => {
    setRegistrySource(null);
    await sg?.stop();
  });

  const CREATE = `mutation ($i: CreateProgramInput!) { createProgram(input: $i) { id benefitKind budget criteria { name } approvalStages { name role } } }`;
  const CONFIGURE = `mutation ($id: ID!, $i: ProgramSettingsInput!) { configureProgram(id: $id, input: $i) { id criteria { name expression } } }`;

  async function newProgram(extra: Record<string, unknown> = {}) {
    return dataOf(
      await gql(CREATE, { i: { name: "Child benefit", target: "GROUP", currency: "KES", budget: "1000000.50", ministry: "Social Protection", ...extra } }, PM),
    ).createProgram as { id: string; budget: string };
  }

  async function waitRun(runId: string) {
    const q = `query ($id: ID!) { programRun(id: $id) { id jobId status totalChunks doneChunks failedChunks processed eligible notEligible errors created error } }`;
    const { jobId } = dataOf(await gql(q, { id: runId }, PM)).programRun;
    await sg.jobs.waitFor(jobId, 30_000);
    return dataOf(await gql(q, { id: runId }, PM)).programRun;
  }

  it("refuses rules with syntax errors, unknown attributes or wrong types, with a code and a position", async () => {
    const { id } = await newProgram();
    const bad = async (criteria: unknown, scoring?: unknown) => {
      const res = await gql(CONFIGURE, { id, i: scoring ? { scoring } : { criteria } }, PM);
      expect(codesOf(res)).toEqual(["BAD_USER_INPUT"]);
      return res.errors![0]!.extensions!;
    };
    expect(await bad([{ name: "x", expression: "household.children >= " }])).toMatchObject({ field: "criteria[0].expression", problem: "SYNTAX", position: { start: 22, line: 1 } });
    expect(await bad([CRITERIA[0], { name: "y", expression: "household.children >= 1 &&\n extra.salary < 5" }])).toMatchObject({
      field: "criteria[1].expression",
      problem: "UNKNOWN_ATTRIBUTE",
      attribute: "extra.salary",
      position: { line: 2, column: 8 },
    });
    expect(await bad([{ name: "z", expression: 'household.size > "big"' }])).toMatchObject({ problem: "TYPE" });
    expect(await bad([{ name: "z", expression: "household.size" }])).toMatchObject({ problem: "TYPE" });
    expect(await bad(null, { ...SCORING, parts: [{ name: "p", expression: "extra.income > 1.0", weight: 1 }] })).toMatchObject({ field: "scoring.parts[0].expression", problem: "TYPE" });
    // nothing was saved
    expect(dataOf(await gql(`query ($id: ID!) { program(id: $id) { criteria { name } } }`, { id }, PM)).program.criteria).toEqual([]);
    // editors can check without saving
    const check = dataOf(await gql(`query { validateRule(expression: "registrant.agee > 3") { valid problem attribute position { start end line column } } }`, {}, PM)).validateRule;
    expect(check).toEqual({ valid: false, problem: "UNKNOWN_ATTRIBUTE", attribute: "registrant.agee", position: { start: 11, end: 15, line: 1, column: 12 } });
    const names = dataOf(await gql(`query { ruleAttributes { name type } }`, {}, PM)).ruleAttributes.map((a: { name: string }) => a.name);
    expect(names).toEqual(expect.arrayContaining(["registrant.age", "household.children", "household.members[].role", "extra.income"]));
    // other invalid settings
    expect(codesOf(await gql(CONFIGURE, { id, i: { approvalStages: [{ name: "A", role: "wizard" }] } }, PM))).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await gql(CONFIGURE, { id, i: { entitlementFormula: { ...FORMULA, baseAmount: "10.001" } } }, PM))).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await gql(CONFIGURE, { id, i: { criteria: CRITERIA } }, APPROVER))).toEqual(["FORBIDDEN"]);
  });

  it("lets only a program's manager roles manage it", async () => {
    const { id } = await newProgram({ managerRoles: ["admin"] });
    expect(codesOf(await gql(CONFIGURE, { id, i: { criteria: CRITERIA } }, PM))).toEqual(["FORBIDDEN"]);
    dataOf(await gql(CONFIGURE, { id, i: { criteria: CRITERIA } }, BOSS));
    const scoped = { role: "program_manager" as const, sub: "pm-2", programIds: ["00000000-0000-4000-8000-000000000000"] };
    expect(codesOf(await gql(`query ($id: ID!) { program(id: $id) { id } }`, { id }, scoped))).toEqual(["NOT_FOUND"]);
  });

  let programId: string;
  let cycleId: string;

  it("evaluates a whole population as a chunked job, streaming pages, with explanations and per-registrant errors", async () => {
    programId = (await newProgram({ criteria: CRITERIA, scoring: SCORING, entitlementFormula: FORMULA, approvalStages: [{ name: "Technical review", role: "approver" }, { name: "Director", role: "admin" }] })).id;
    sg.sql.length = 0;
    const pagesBefore = population.pages;
    const run = dataOf(await gql(`mutation ($p: ID!) { evaluateProgram(programId: $p, chunks: 4, asOf: "2026-01-01") { id status } }`, { p: programId }, PM)).evaluateProgram;
    const done = await waitRun(run.id);
    const want = Array.from({ length: N }, (_, i) => expected(i));
    expect(done).toMatchObject({
      status: "COMPLETED",
      totalChunks: 4,
      doneChunks: 4,
      failedChunks: 0,
      processed: N,
      eligible: want.filter((w) => w === true).length,
      notEligible: want.filter((w) => w === false).length,
      errors: 3,
    });
    expect(done.eligible).toBeGreaterThan(20);
    expect(done.notEligible).toBeGreaterThan(20);
    // streamed in pages of 100: 6 full pages plus at most one boundary page per chunk
    const pages = population.pages - pagesBefore;
    expect(pages).toBeGreaterThanOrEqual(6);
    expect(pages).toBeLessThanOrEqual(6 + 4);
    // batch SQL: one upsert statement per page, never one per registrant
    const upserts = sg.sql.filter((s) => /insert into \S*enrollment/i.test(s));
    expect(upserts.length).toBeGreaterThan(0);
    expect(upserts.length).toBeLessThanOrEqual(pages);

    const failures = dataOf(await gql(`query ($id: ID!) { programRun(id: $id) { failures { registrantId state evaluationError } } }`, { id: run.id }, PM)).programRun.failures;
    expect(failures.map((f: { registrantId: string }) => f.registrantId).sort()).toEqual([3, 77, 512].map((i) => population.id(i)).sort());
    expect(failures[0]).toMatchObject({ state: "DRAFT", evaluationError: expect.stringContaining("income") });

    // every decision matches the independent computation, and carries its explanation
    const states = new Map<string, string>();
    let after: string | null = null;
    do {
      const page: any = dataOf(await gql(`query ($p: ID!, $a: String) { programEnrollments(programId: $p, first: 500, after: $a) { nodes { registrantId state score explanation { eligible criteria { name passed } parts { name value weight contribution } threshold scorePassed error } } pageInfo { hasNextPage endCursor } } }`, { p: programId, a: after }, PM)).programEnrollments;
      for (const n of page.nodes) states.set(n.registrantId, n.state);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      if (page.nodes[0] && !after) {
        const e = page.nodes[0].explanation;
        expect(e.criteria.map((c: { name: string }) => c.name)).toEqual(["has children", "low income"]);
        expect(e.threshold).toBe(50);
      }
    } while (after);
    expect(states.size).toBe(N);
    for (let i = 0; i < N; i++) {
      const w = want[i];
      expect([population.id(i), states.get(population.id(i))]).toEqual([population.id(i), w === null ? "DRAFT" : w ? "ENROLLED" : "NOT_ELIGIBLE"]);
    }
    const ranking = dataOf(await gql(`query ($p: ID!) { ranking(programId: $p, first: 5) { score state } }`, { p: programId }, PM)).ranking;
    expect(ranking).toHaveLength(5);
    expect(ranking.map((r: { score: number }) => r.score)).toEqual([...ranking.map((r: { score: number }) => r.score)].sort((a, b) => a - b));
  });

  let overridden: string;

  it("overrides a decision by hand with a reason, audited, and keeps it on re-evaluation", async () => {
    const notEligible = dataOf(await gql(`query ($p: ID!) { programEnrollments(programId: $p, state: NOT_ELIGIBLE, first: 1) { nodes { id registrantId } } }`, { p: programId }, PM)).programEnrollments.nodes[0];
    overridden = notEligible.registrantId;
    const OVERRIDE = `mutation ($e: ID!, $s: EnrollmentState!, $r: String!) { overrideEnrollment(enrollmentId: $e, state: $s, reason: $r) { state overrideReason overriddenBy } }`;
    expect(codesOf(await gql(OVERRIDE, { e: notEligible.id, s: "ENROLLED", r: "" }, PM))).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await gql(OVERRIDE, { e: notEligible.id, s: "ENROLLED", r: "field visit" }, APPROVER))).toEqual(["FORBIDDEN"]);
    expect(codesOf(await gql(OVERRIDE, { e: notEligible.id, s: "NOT_ELIGIBLE", r: "field visit" }, PM))).toEqual(["CONFLICT"]);
    expect(dataOf(await gql(OVERRIDE, { e: notEligible.id, s: "ENROLLED", r: "Field visit: income overstated" }, PM)).overrideEnrollment).toEqual({
      state: "ENROLLED",
      overrideReason: "Field visit: income overstated",
      overriddenBy: "pm-1",
    });
    const trail = await sg.orm.em.fork().find(AuditEntry, { entityType: "Enrollment", entityId: notEligible.id });
    expect(trail.map((a) => [a.action, a.actor, a.changes])).toEqual([
      ["enrollment.override", "pm-1", { state: { from: "NOT_ELIGIBLE", to: "ENROLLED" }, reason: "Field visit: income overstated" }],
    ]);
  });

  it("runs a cycle: eligibility re-check, entitlements equal to the formula summed over enrolled beneficiaries, generated once", async () => {
    const CREATE_CYCLE = `mutation ($i: CreateCycleInput!) { createCycle(input: $i) { id state createdBy } }`;
    expect(codesOf(await gql(CREATE_CYCLE, { i: { programId, name: "January", startDate: "2026-01-31", endDate: "2026-01-01" } }, PM))).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await gql(CREATE_CYCLE, { i: { programId, name: "January", startDate: "2026-02-30", endDate: "2026-03-01" } }, PM))).toEqual(["BAD_USER_INPUT"]);
    const cycle = dataOf(await gql(CREATE_CYCLE, { i: { programId, name: "January", startDate: "2026-01-01", endDate: "2026-01-31" } }, PM)).createCycle;
    cycleId = cycle.id;
    expect(cycle).toMatchObject({ state: "DRAFT", createdBy: "pm-1" });

    const GENERATE = `mutation ($c: ID!) { generateEntitlements(cycleId: $c, chunks: 3) { id } }`;
    expect(codesOf(await gql(GENERATE, { c: cycleId }, PM))).toEqual(["CONFLICT"]); // no re-check yet
    const check = dataOf(await gql(`mutation ($c: ID!) { checkCycleEligibility(cycleId: $c, chunks: 2) { id } }`, { c: cycleId }, PM)).checkCycleEligibility;
    expect((await waitRun(check.id)).status).toBe("COMPLETED");

    const gen = dataOf(await gql(GENERATE, { c: cycleId }, PM)).generateEntitlements;
    const first = await waitRun(gen.id);
    // the beneficiaries: the rules' ENROLLED plus the manual override (kept by the re-check)
    const enrolled: number[] = [];
    for (let i = 0; i < N; i++) if (expected(i) === true || population.id(i) === overridden) enrolled.push(i);
    let sum = 0n;
    for (const i of enrolled) sum += 10000n + 1235n * BigInt(Math.min(population.registrant(i).members!.length, 5));
    const toDecimal = (m: bigint) => `${m / 100n}.${(m % 100n).toString().padStart(2, "0")}`;
    expect(first).toMatchObject({ status: "COMPLETED", totalChunks: 3, processed: enrolled.length, created: enrolled.length });
    const TOTALS = `query ($c: ID!) { cycle(id: $c) { state totals { entitlements totalAmount totalFee } } }`;
    expect(dataOf(await gql(TOTALS, { c: cycleId }, PM)).cycle.totals).toEqual({
      entitlements: enrolled.length,
      totalAmount: toDecimal(sum),
      totalFee: toDecimal(75n * BigInt(enrolled.length)),
    });
    const one = dataOf(await gql(`query ($c: ID!) { cycleEntitlements(cycleId: $c, first: 1) { totalCount nodes { amount fee currency validFrom validUntil items { name } } } }`, { c: cycleId }, PM)).cycleEntitlements;
    expect(one.totalCount).toBe(enrolled.length);
    // a cash entitlement has no items: an empty list, not a null in a non-null field
    expect(one.nodes[0]).toMatchObject({ currency: "KES", fee: "0.75", validFrom: "2026-01-01", validUntil: "2026-01-30", items: [] });

    // re-running adds nothing twice
    const again = await waitRun(dataOf(await gql(GENERATE, { c: cycleId }, PM)).generateEntitlements.id);
    expect(again).toMatchObject({ status: "COMPLETED", processed: enrolled.length, created: 0 });
    expect(dataOf(await gql(TOTALS, { c: cycleId }, PM)).cycle.totals.totalAmount).toBe(toDecimal(sum));

    // a beneficiary paused meanwhile loses this (still DRAFT) cycle's entitlement at the next generation
    const paused = dataOf(await gql(`query ($p: ID!) { programEnrollments(programId: $p, state: ENROLLED, first: 1) { nodes { id registrantId householdSize } } }`, { p: programId }, PM)).programEnrollments.nodes[0];
    dataOf(await gql(`mutation ($e: ID!) { overrideEnrollment(enrollmentId: $e, state: PAUSED, reason: "Moved abroad") { state } }`, { e: paused.id }, PM));
    expect(await waitRun(dataOf(await gql(GENERATE, { c: cycleId }, PM)).generateEntitlements.id)).toMatchObject({ processed: enrolled.length - 1, created: 0 });
    const pausedAmount = 10000n + 1235n * BigInt(Math.min(paused.householdSize, 5));
    expect(dataOf(await gql(TOTALS, { c: cycleId }, PM)).cycle.totals).toMatchObject({ entitlements: enrolled.length - 1, totalAmount: toDecimal(sum - pausedAmount) });
  });

  it("generates in-kind items per member for an IN_KIND program", async () => {
    const { id } = await newProgram({
      name: "Food basket",
      benefitKind: "IN_KIND",
      criteria: [{ name: "large household", expression: "household.size >= 7" }],
      entitlementFormula: { baseAmount: "0", perMemberAmount: "0", memberCap: 6, feeAmount: "0.10", validityDays: 7, items: [{ name: "maize flour", unit: "kg", baseQuantity: 5, perMemberQuantity: 2 }] },
    });
    const c = dataOf(await gql(`mutation ($i: CreateCycleInput!) { createCycle(input: $i) { id } }`, { i: { programId: id, name: "Week 1", startDate: "2026-01-01", endDate: "2026-01-07" } }, PM)).createCycle;
    await waitRun(dataOf(await gql(`mutation ($c: ID!) { checkCycleEligibility(cycleId: $c) { id } }`, { c: c.id }, PM)).checkCycleEligibility.id);
    const gen = await waitRun(dataOf(await gql(`mutation ($c: ID!) { generateEntitlements(cycleId: $c, chunks: 2) { id } }`, { c: c.id }, PM)).generateEntitlements.id);
    const large = Array.from({ length: N }, (_, i) => population.registrant(i)).filter((r) => r.members!.length >= 7);
    expect(large.length).toBeGreaterThan(50);
    expect(gen).toMatchObject({ status: "COMPLETED", created: large.length });
    const page = dataOf(await gql(`query ($c: ID!) { cycleEntitlements(cycleId: $c, first: 500) { nodes { registrantId amount fee validUntil items { name unit quantity } } } }`, { c: c.id }, PM)).cycleEntitlements.nodes;
    const byId = new Map(page.map((n: any) => [n.registrantId, n]));
    for (const r of large) {
      expect(byId.get(r.id)).toEqual({ registrantId: r.id, amount: "0.00", fee: "0.10", validUntil: "2026-01-07", items: [{ name: "maize flour", unit: "kg", quantity: 5 + 2 * Math.min(r.members!.length, 6) }] });
    }
  });

  it("enforces approval order, segregation of duties, rejection with a reason, and pays only approved cycles", async () => {
    const APPROVE = `mutation ($c: ID!) { approveCycle(cycleId: $c) { state approvedStages round } }`;
    const REJECT = `mutation ($c: ID!, $r: String!) { rejectCycle(cycleId: $c, reason: $r) { state approvedStages rejectionReason } }`;
    const SUBMIT = `mutation ($c: ID!) { submitCycle(cycleId: $c) { state round submittedBy } }`;
    const PAYABLE = `query ($c: ID!) { payableEntitlements(cycleId: $c, first: 2) { totalCount } }`;

    expect(codesOf(await gql(APPROVE, { c: cycleId }, APPROVER))).toEqual(["CONFLICT"]); // still DRAFT
    expect(codesOf(await gql(PAYABLE, { c: cycleId }, FINANCE))).toEqual(["CONFLICT"]);
    expect(codesOf(await gql(SUBMIT, { c: cycleId }, APPROVER))).toEqual(["FORBIDDEN"]);
    expect(dataOf(await gql(SUBMIT, { c: cycleId }, PM)).submitCycle).toEqual({ state: "TO_APPROVE", round: 1, submittedBy: "pm-1" });

    // the creator cannot approve, even holding the approver role
    expect(codesOf(await gql(APPROVE, { c: cycleId }, { role: "approver", sub: "pm-1" }))).toEqual(["FORBIDDEN"]);
    // stages go in order: the director (admin) cannot decide stage 1
    expect(codesOf(await gql(APPROVE, { c: cycleId }, BOSS))).toEqual(["FORBIDDEN"]);
    expect(dataOf(await gql(APPROVE, { c: cycleId }, APPROVER)).approveCycle).toEqual({ state: "TO_APPROVE", approvedStages: 1, round: 1 });
    // one person cannot approve two stages, even holding both roles
    const both = await signDevToken({ sub: "ap-1", roles: ["approver", "admin"] });
    expect(codesOf(await gql(APPROVE, { c: cycleId }, { token: both }))).toEqual(["FORBIDDEN"]);
    // no payment before approval
    expect(codesOf(await gql(PAYABLE, { c: cycleId }, FINANCE))).toEqual(["CONFLICT"]);
    // rejection needs a reason and sends the cycle back to DRAFT
    expect(codesOf(await gql(REJECT, { c: cycleId, r: " " }, BOSS))).toEqual(["BAD_USER_INPUT"]);
    expect(dataOf(await gql(REJECT, { c: cycleId, r: "Budget line not confirmed" }, BOSS)).rejectCycle).toEqual({
      state: "DRAFT",
      approvedStages: 0,
      rejectionReason: "Budget line not confirmed",
    });
    expect(codesOf(await gql(APPROVE, { c: cycleId }, APPROVER))).toEqual(["CONFLICT"]);

    // round 2: both stages, by two different people
    expect(dataOf(await gql(SUBMIT, { c: cycleId }, PM)).submitCycle.round).toBe(2);
    dataOf(await gql(APPROVE, { c: cycleId }, APPROVER));
    expect(dataOf(await gql(APPROVE, { c: cycleId }, BOSS)).approveCycle).toEqual({ state: "APPROVED", approvedStages: 2, round: 2 });
    expect(codesOf(await gql(APPROVE, { c: cycleId }, BOSS))).toEqual(["CONFLICT"]);
    expect(dataOf(await gql(PAYABLE, { c: cycleId }, FINANCE)).payableEntitlements.totalCount).toBeGreaterThan(0);
    expect(codesOf(await gql(`mutation ($c: ID!) { generateEntitlements(cycleId: $c) { id } }`, { c: cycleId }, PM))).toEqual(["CONFLICT"]);

    const approvals = dataOf(await gql(`query ($c: ID!) { cycle(id: $c) { approvals { round stage stageName role decision actor reason } } }`, { c: cycleId }, PM)).cycle.approvals;
    expect(approvals.map((a: any) => [a.round, a.stage, a.decision, a.actor])).toEqual([
      [1, 0, "APPROVED", "ap-1"],
      [1, 1, "REJECTED", "boss"],
      [2, 0, "APPROVED", "ap-1"],
      [2, 1, "APPROVED", "boss"],
    ]);

    // the rest of the life cycle, and wrong transitions
    expect(codesOf(await gql(`mutation ($c: ID!) { markCycleDistributed(cycleId: $c) { state } }`, { c: cycleId }, PM))).toEqual(["FORBIDDEN"]);
    expect(dataOf(await gql(`mutation ($c: ID!) { markCycleDistributed(cycleId: $c) { state } }`, { c: cycleId }, FINANCE)).markCycleDistributed.state).toBe("DISTRIBUTED");
    expect(codesOf(await gql(`mutation ($c: ID!) { cancelCycle(cycleId: $c, reason: "too late") { state } }`, { c: cycleId }, PM))).toEqual(["CONFLICT"]);
    expect(dataOf(await gql(`mutation ($c: ID!) { endCycle(cycleId: $c) { state } }`, { c: cycleId }, PM)).endCycle.state).toBe("ENDED");

    const trail = await sg.orm.em.fork().find(AuditEntry, { entityType: "Cycle", entityId: cycleId }, { orderBy: { at: "asc", id: "asc" } });
    const actions = trail.map((a) => `${a.action}:${a.actor}`);
    expect(actions.filter((a) => /approve|reject|submit/.test(a))).toEqual([
      "cycle.submit:pm-1",
      "cycle.approve:ap-1",
      "cycle.reject:boss",
      "cycle.submit:pm-1",
      "cycle.approve:ap-1",
      "cycle.approve:boss",
    ]);
    expect(actions).toEqual(expect.arrayContaining(["cycle.create:pm-1", "eligibility.evaluate:pm-1", "cycle.generateEntitlements:pm-1", "cycle.distribute:fin-1", "cycle.end:pm-1"]));
  });

  it("reports counts by state and amounts per cycle for dashboards, in a constant number of statements", async () => {
    const q = `query { programs(first: 50) { nodes { id enrollmentCounts { state count } cycles { name state totals { entitlements totalAmount } approvals { actor } } } } }`;
    sg.sql.length = 0;
    const nodes = dataOf(await gql(q, {}, { role: "auditor" })).programs.nodes;
    const selects = sg.sql.filter((s) => /^\s*select/i.test(s)).length;
    expect(nodes.length).toBeGreaterThanOrEqual(3);
    // programs + count, enrollment counts, cycles, totals, approvals: one each, whatever the number of programs
    expect(selects).toBeLessThanOrEqual(6);
    const mine = nodes.find((p: { id: string }) => p.id === programId);
    const counts = Object.fromEntries(mine.enrollmentCounts.map((c: { state: string; count: number }) => [c.state, c.count]));
    expect(counts.ENROLLED + counts.NOT_ELIGIBLE + counts.DRAFT + counts.PAUSED).toBe(N);
    expect(counts.PAUSED).toBe(1);
    expect(counts.DRAFT).toBe(3);
    expect(mine.cycles).toHaveLength(1); // the food basket is another program
    expect(mine.cycles[0].totals.entitlements).toBe(counts.ENROLLED);
  });
});
