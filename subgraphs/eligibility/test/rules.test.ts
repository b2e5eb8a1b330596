import { GraphQLError } from "graphql";
import { ageOn, toFacts, type ProcessingRegistrant } from "../src/services/facts";
import { compileFormula, normaliseFormula } from "../src/services/formula";
import { assertExpression, celEnvironment, checkExpression, compileProgram } from "../src/services/rules";
import { idRanges } from "../src/services/sql";

const EXTRA = { income: "double", assets: "int", hasLand: "bool" } as const;
const env = celEnvironment({ ...EXTRA });
const asOf = new Date("2026-01-01T00:00:00Z");

const household: ProcessingRegistrant = {
  id: "00000000-0000-4000-8000-000000000001",
  kind: "GROUP",
  birthDate: null,
  sex: null,
  disability: null,
  adminAreaCode: "NAIROBI-01",
  groupId: null,
  members: [
    { id: "a", role: "HEAD", birthDate: "1950-03-01", sex: "F", disability: false },
    { id: "b", role: "CHILD", birthDate: "2015-12-31", sex: "M", disability: true },
    { id: "c", role: "CHILD", birthDate: "2008-01-01", sex: "F", disability: null },
  ],
  extra: { income: 1200.5, assets: 2, hasLand: true, ignored: "x" },
};

describe("rule validation", () => {
  it("accepts rules over the registrant, its household, members and extra attributes", () => {
    for (const rule of [
      "household.children >= 1 && extra.income < 5000.0",
      'household.members.exists(m, m.role == "HEAD" && m.age >= 60)',
      'registrant.kind == "GROUP" && !extra.hasLand || extra.assets <= 3',
      "has(registrant.age) ? registrant.age >= 18 : true",
    ]) {
      expect(checkExpression(env, rule, "bool")).toBeNull();
    }
    expect(checkExpression(env, "double(household.size) * 2.0 + extra.income", "number")).toBeNull();
    // CEL does not mix int and double in arithmetic without a conversion: refused when saved.
    expect(checkExpression(env, "household.size * 2 + extra.income", "number")).toMatchObject({ problem: "TYPE", message: expect.stringContaining("int + double") });
  });

  it("refuses a syntax error with its position", () => {
    const e = checkExpression(env, "household.size >\n  && true", "bool")!;
    expect(e).toMatchObject({ problem: "SYNTAX", line: 2, column: 3 });
    expect(e.start).toBe(19);
  });

  it("names an unknown attribute, with its position, at any depth", () => {
    expect(checkExpression(env, "registrant.income < 100.0", "bool")).toMatchObject({
      problem: "UNKNOWN_ATTRIBUTE",
      attribute: "registrant.income",
      start: 11,
      column: 12,
    });
    expect(checkExpression(env, "extra.salary > 1", "bool")).toMatchObject({ problem: "UNKNOWN_ATTRIBUTE", attribute: "extra.salary" });
    expect(checkExpression(env, "household.members.exists(m, m.height > 1)", "bool")).toMatchObject({ problem: "UNKNOWN_ATTRIBUTE", attribute: "m.height" });
    expect(checkExpression(env, "income > 1", "bool")).toMatchObject({ problem: "UNKNOWN_ATTRIBUTE", attribute: "income", start: 0 });
  });

  it("refuses wrong types: operands, and a rule that is not a bool / a score that is not a number", () => {
    expect(checkExpression(env, 'household.size > "three"', "bool")).toMatchObject({ problem: "TYPE" });
    expect(checkExpression(env, "household.size + 1", "bool")).toMatchObject({ problem: "TYPE", message: expect.stringContaining("bool") });
    expect(checkExpression(env, "household.size > 1", "number")).toMatchObject({ problem: "TYPE" });
    expect(checkExpression(env, "   ", "bool")).toMatchObject({ problem: "SYNTAX" });
  });

  it("throws a coded BAD_USER_INPUT carrying field, problem, position and attribute", () => {
    let err: unknown;
    try {
      assertExpression(env, "extra.salary > 1", "bool", "criteria[0].expression");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GraphQLError);
    expect((err as GraphQLError).extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "criteria[0].expression",
      problem: "UNKNOWN_ATTRIBUTE",
      attribute: "extra.salary",
      position: { start: 6, end: 12, line: 1, column: 7 },
    });
  });
});

describe("facts, decisions and explanations", () => {
  it("computes ages and household counts as of a date", () => {
    expect(ageOn("2008-01-01", asOf)).toBe(18);
    expect(ageOn("2008-01-02", asOf)).toBe(17);
    expect(ageOn(null, asOf)).toBeNull();
    const f = toFacts(household, asOf, { ...EXTRA });
    expect(f.household).toMatchObject({ size: 3n, children: 1n, elderly: 1n, disabled: 1n, heads: 1n });
    expect(f.extra).toEqual({ income: 1200.5, assets: 2n, hasLand: true });
  });

  it("explains which criteria passed, the score and its parts", () => {
    const engine = compileProgram(
      env,
      [
        { name: "has children", expression: "household.children >= 1" },
        { name: "no land", expression: "!extra.hasLand" },
      ],
      {
        intercept: 10,
        threshold: 40,
        eligibleWhen: "AT_MOST",
        parts: [
          { name: "income", expression: "extra.income", weight: 0.01 },
          { name: "size", expression: "household.size", weight: 5 },
        ],
      },
    );
    const d = engine.decide(toFacts(household, asOf, { ...EXTRA }));
    expect(d.criteria).toEqual([
      { name: "has children", passed: true },
      { name: "no land", passed: false },
    ]);
    expect(d.parts).toEqual([
      { name: "income", value: 1200.5, weight: 0.01, contribution: 12.005 },
      { name: "size", value: 3, weight: 5, contribution: 15 },
    ]);
    expect(d.score).toBe(37.005);
    expect(d.scorePassed).toBe(true);
    expect(d.eligible).toBe(false); // a failed criterion
    expect(d.error).toBeNull();
  });

  it("reports a registrant whose attribute is unknown as an error, not as a decision", () => {
    const engine = compileProgram(env, [{ name: "poor", expression: "extra.income < 100.0" }], null);
    const d = engine.decide(toFacts({ ...household, extra: { income: "n/a" } }, asOf, { ...EXTRA }));
    expect(d.eligible).toBeNull();
    expect(d.error).toMatch(/criterion "poor": No such key: income/);
  });
});

describe("entitlement formula (exact minor units)", () => {
  it("base + per member × min(members, cap), fee apart, items per member", () => {
    const f = compileFormula(
      normaliseFormula({ baseAmount: "100", perMemberAmount: "20.10", memberCap: 4, feeAmount: "1.5", validityDays: 30, items: [{ name: "rice", unit: "kg", baseQuantity: 5, perMemberQuantity: 2 }] }),
    );
    expect(f.amount(1)).toBe(12010n);
    expect(f.amount(4)).toBe(18040n);
    expect(f.amount(9)).toBe(18040n);
    expect(f.fee).toBe(150n);
    expect(f.items(3)).toEqual([{ name: "rice", unit: "kg", quantity: 11 }]);
    expect(() => normaliseFormula({ baseAmount: "1.005", perMemberAmount: "0", memberCap: null, feeAmount: "0", validityDays: 30, items: [] })).toThrow(/at most 2 decimals/);
    expect(() => normaliseFormula({ baseAmount: "-1", perMemberAmount: "0", memberCap: null, feeAmount: "0", validityDays: 30, items: [] })).toThrow(GraphQLError);
  });
});

describe("id ranges", () => {
  it("cover every id exactly once", () => {
    const ranges = idRanges(7);
    const ids = ["00000000-0000-0000-0000-000000000000", "24924924-0000-0000-0000-000000000000", "24924923-ffff-ffff-ffff-ffffffffffff", "ffffffff-ffff-ffff-ffff-ffffffffffff", "80000000-1234-4000-8000-000000000000"];
    for (const id of ids) {
      const hits = ranges.filter((r) => (r.after === null || id > r.after) && (r.until === null || id < r.until));
      expect(hits).toHaveLength(1);
    }
    expect(idRanges(1)).toEqual([{ after: null, until: null }]);
  });
});
