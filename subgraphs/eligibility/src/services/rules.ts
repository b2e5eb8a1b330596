/**
 * The rule and scoring engine: CEL (Common Expression Language, @marcbachmann/cel-js) over typed
 * facts. Expressions are parsed and type-checked when saved (syntax errors, unknown attributes and
 * wrong types are refused with their position), compiled once per job, and evaluated per registrant
 * with no `eval` and no I/O. No GraphQL here.
 */
import { badInput } from "@g2p/kit";
import type { Environment } from "@marcbachmann/cel-js" with { "resolution-mode": "import" };
import type { ExtraType } from "../config";
import type { Facts } from "./facts";

export interface Criterion {
  name: string;
  expression: string;
}

export interface ScoringPart {
  name: string;
  expression: string;
  weight: number;
}

export type ScoreDirection = "AT_MOST" | "AT_LEAST";

/** Proxy-means test: score = intercept + Σ weight × value; eligible when score is AT_MOST (or AT_LEAST) the threshold. */
export interface Scoring {
  intercept: number;
  parts: ScoringPart[];
  threshold: number;
  eligibleWhen: ScoreDirection;
}

export interface Decision {
  /** null when the registrant could not be evaluated (see `error`). */
  eligible: boolean | null;
  score: number | null;
  criteria: { name: string; passed: boolean }[];
  parts: { name: string; value: number; weight: number; contribution: number }[];
  threshold: number | null;
  scorePassed: boolean | null;
  error: string | null;
}

export type RuleProblem = "SYNTAX" | "UNKNOWN_ATTRIBUTE" | "TYPE";

export interface RuleError {
  problem: RuleProblem;
  message: string;
  /** 0-based offsets into the expression, and 1-based line and column of `start`. */
  start: number;
  end: number;
  line: number;
  column: number;
  attribute: string | null;
}

const MEMBER_FIELDS = { role: "string", age: "int", sex: "string", disability: "bool" } as const;
const REGISTRANT_FIELDS = {
  id: "string",
  kind: "string",
  age: "int",
  sex: "string",
  disability: "bool",
  adminAreaCode: "string",
  groupId: "string",
} as const;
const HOUSEHOLD_FIELDS = {
  size: "int",
  children: "int",
  elderly: "int",
  disabled: "int",
  heads: "int",
  members: "list<Member>",
} as const;

/** The attributes a rule can read, for documentation and the `ruleAttributes` query. */
export function ruleAttributes(extra: Record<string, ExtraType>): { name: string; type: string }[] {
  return [
    ...Object.entries(REGISTRANT_FIELDS).map(([k, t]) => ({ name: `registrant.${k}`, type: t })),
    ...Object.entries(HOUSEHOLD_FIELDS).map(([k, t]) => ({ name: `household.${k}`, type: t })),
    ...Object.entries(MEMBER_FIELDS).map(([k, t]) => ({ name: `household.members[].${k}`, type: t })),
    ...Object.entries(extra).map(([k, t]) => ({ name: `extra.${k}`, type: t })),
  ];
}

// cel-js is ESM-only: Node 20.19 loads it with require(esm) (Jest compiles it); types come from `import type`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cel = require("@marcbachmann/cel-js") as { Environment: typeof Environment };

const environments = new Map<string, Environment>();

/** One CEL environment per extra-attribute schema (building one is costly; it is reused). */
export function celEnvironment(extra: Record<string, ExtraType>): Environment {
  const key = JSON.stringify(extra);
  let env = environments.get(key);
  if (!env) {
    env = new cel.Environment({ limits: { maxAstNodes: 2000, maxDepth: 50, maxListElements: 200, maxMapEntries: 200, maxCallArguments: 16 } })
      .registerType("Member", { fields: { ...MEMBER_FIELDS } })
      .registerVariable({ name: "registrant", schema: { ...REGISTRANT_FIELDS } })
      .registerVariable({ name: "household", schema: { ...HOUSEHOLD_FIELDS } })
      .registerVariable({ name: "extra", schema: { ...extra } });
    environments.set(key, env);
  }
  return env;
}

function lineColumn(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, Math.max(0, offset));
  const lines = before.split("\n");
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

/** Checks one expression; returns null when it is valid and of the expected kind. */
export function checkExpression(env: Environment, source: string, expected: "bool" | "number"): RuleError | null {
  if (!source.trim()) return { problem: "SYNTAX", message: "expression is empty", start: 0, end: 0, line: 1, column: 1, attribute: null };
  if (source.length > 4000) return { problem: "SYNTAX", message: "expression longer than 4000 characters", start: 4000, end: source.length, ...lineColumn(source, 4000), attribute: null };
  let result: ReturnType<Environment["check"]>;
  try {
    result = env.check(source);
  } catch (err) {
    const e = err as { message?: string; code?: string; range?: { start: number; end: number } };
    const start = e.range?.start ?? 0;
    return { problem: "SYNTAX", message: firstLine(e.message ?? String(err)), start, end: e.range?.end ?? start, ...lineColumn(source, start), attribute: null };
  }
  if (!result.valid) {
    const e = result.error as unknown as { name?: string; code?: string; message: string; range?: { start: number; end: number } };
    const start = e.range?.start ?? 0;
    const end = e.range?.end ?? start;
    const base = { message: firstLine(e.message), start, end, ...lineColumn(source, start) };
    if (e.name === "ParseError") return { problem: "SYNTAX", ...base, attribute: null };
    if (e.code === "no_such_key" || e.code === "unknown_variable") {
      const name = source.slice(start, end);
      const prefix = /([A-Za-z_][A-Za-z0-9_.]*)\.\s*$/.exec(source.slice(0, start))?.[1];
      const attribute = e.code === "no_such_key" && prefix ? `${prefix}.${name}` : name;
      return { problem: "UNKNOWN_ATTRIBUTE", ...base, message: `unknown attribute "${attribute}"`, attribute };
    }
    return { problem: "TYPE", ...base, attribute: null };
  }
  const type = String(result.type);
  const ok = expected === "bool" ? type === "bool" || type === "dyn" : type === "int" || type === "double" || type === "dyn";
  if (!ok) {
    return {
      problem: "TYPE",
      message: `expression must be ${expected === "bool" ? "a bool (true or false)" : "a number (int or double)"}, not ${type}`,
      start: 0,
      end: source.length,
      line: 1,
      column: 1,
      attribute: null,
    };
  }
  return null;
}

/** Throws BAD_USER_INPUT with the position, the problem and the unknown attribute, if any. */
export function assertExpression(env: Environment, source: string, expected: "bool" | "number", field: string): void {
  const error = checkExpression(env, source, expected);
  if (!error) return;
  const err = badInput(`${field}: ${error.message} (line ${error.line}, column ${error.column})`, field);
  Object.assign(err.extensions, {
    problem: error.problem,
    position: { start: error.start, end: error.end, line: error.line, column: error.column },
    attribute: error.attribute,
  });
  throw err;
}

export interface CompiledProgram {
  decide(facts: Facts): Decision;
}

type Compiled = (ctx: Facts) => unknown;

/** Compiles a program's criteria and scoring once; `decide` is then pure and fast. */
export function compileProgram(env: Environment, criteria: Criterion[], scoring: Scoring | null): CompiledProgram {
  const rules = criteria.map((c) => ({ name: c.name, fn: env.parse(c.expression) as unknown as Compiled }));
  const parts = (scoring?.parts ?? []).map((p) => ({ name: p.name, weight: p.weight, fn: env.parse(p.expression) as unknown as Compiled }));
  return {
    decide(facts: Facts): Decision {
      const decision: Decision = {
        eligible: null,
        score: null,
        criteria: [],
        parts: [],
        threshold: scoring?.threshold ?? null,
        scorePassed: null,
        error: null,
      };
      let current = "";
      try {
        let allPassed = true;
        for (const rule of rules) {
          current = `criterion "${rule.name}"`;
          const value = rule.fn(facts);
          if (typeof value !== "boolean") throw new Error(`returned ${typeof value}, not a bool`);
          decision.criteria.push({ name: rule.name, passed: value });
          if (!value) allPassed = false;
        }
        if (scoring) {
          let score = scoring.intercept;
          for (const part of parts) {
            current = `score part "${part.name}"`;
            const raw = part.fn(facts);
            const value = typeof raw === "bigint" ? Number(raw) : raw;
            if (typeof value !== "number" || !Number.isFinite(value)) throw new Error(`returned ${typeof raw}, not a number`);
            const contribution = part.weight * value;
            decision.parts.push({ name: part.name, value, weight: part.weight, contribution });
            score += contribution;
          }
          decision.score = Math.round(score * 1e6) / 1e6;
          decision.scorePassed = scoring.eligibleWhen === "AT_MOST" ? decision.score <= scoring.threshold : decision.score >= scoring.threshold;
        }
        decision.eligible = allPassed && decision.scorePassed !== false;
      } catch (err) {
        decision.eligible = null;
        decision.error = `${current}: ${firstLine(err instanceof Error ? err.message : String(err))}`;
      }
      return decision;
    },
  };
}
