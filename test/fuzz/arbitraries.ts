/**
 * fast-check arbitraries built from the committed supergraph: values for any input type (right
 * shape, wrong type, hostile strings, extreme numbers, deep nesting), one mutation call per field of
 * `Mutation`, and random GraphQL documents over `Query`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import {
  buildASTSchema,
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  parse,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from "graphql";
import { REPO_ROOT } from "../src";

export function loadSupergraphSchema(): GraphQLSchema {
  const sdl = readFileSync(path.join(REPO_ROOT, "schema", "supergraph.graphql"), "utf8");
  return buildASTSchema(parse(sdl), { assumeValidSDL: true });
}

/** Strings a validator should refuse or store verbatim, never choke on. */
const NASTY = [
  "",
  " ",
  "0",
  "-1",
  "-0.001",
  "1e309",
  "NaN",
  "Infinity",
  "99999999999999999999999999.99",
  "0.000000000000000000001",
  "2024-02-30",
  "9999-12-31T23:59:59.999Z",
  "0000-00-00",
  "'; drop table registrant; --",
  "\" or 1=1 --",
  "__proto__",
  "constructor",
  "{\"__proto__\":{\"polluted\":1}}",
  "\u0000",
  "\ud800",
  "ﷺ🏳️‍🌈𝕏",
  "a\r\nb",
  "${process.exit()}",
  "../../../etc/passwd",
  "<script>alert(1)</script>",
  "+254700000000",
  "KES",
  "[a-z]+(",
  "(a+)+$",
  "*",
];

export function stringArb(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
    { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
    { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
    // Huge: up to ~600 kB of UTF-8 (the gateway's body limit is 1 MB), sometimes over it.
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1_000, max: 300_000 }), fc.constantFrom("é", "a", "𝕏")).map(([n, c]) => c.repeat(n)) },
  );
}

export function intArb(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: -10, max: 100 }) },
    { weight: 2, arbitrary: fc.constantFrom(0, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 53, Number.MAX_SAFE_INTEGER, -Number.MAX_VALUE, 1e308) },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.integer() },
  );
}

/** Arrays and objects nested up to a few thousand levels. */
export function deepArb(): fc.Arbitrary<unknown> {
  return fc.tuple(fc.integer({ min: 10, max: 3_000 }), fc.boolean()).map(([depth, arrays]) => {
    let v: unknown = "leaf";
    for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
    // fast-check prints a counterexample recursively and would overflow the stack on it, hiding the
    // real failure: describe it instead (a symbol key, invisible to JSON.stringify).
    Object.defineProperty(v, fc.toStringMethod, { value: () => `<${arrays ? "array" : "object"} nested ${depth} deep>`, enumerable: false });
    return v;
  });
}

/** Any JSON value, the wrong-type generator. */
export function anyJsonArb(): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) }, { weight: 1, arbitrary: deepArb() }, { weight: 1, arbitrary: stringArb() });
}

function scalarArb(name: string): fc.Arbitrary<unknown> {
  switch (name) {
    case "Int":
      return intArb();
    case "Float":
      return fc.oneof(intArb(), fc.double());
    case "Boolean":
      return fc.boolean();
    case "ID":
      return fc.oneof(fc.uuid(), stringArb(), fc.integer());
    case "JSON":
      return fc.oneof(fc.jsonValue({ maxDepth: 4 }), deepArb());
    case "JSONObject":
      return fc.oneof(fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }), deepArb().map((v) => ({ deep: v })), anyJsonArb());
    case "DateTimeISO":
      return fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), stringArb());
    default:
      return stringArb();
  }
}

/**
 * Values for an input type: mostly of the declared shape (so they reach resolvers and their
 * validation), sometimes of the wrong type or null where non-null is declared.
 */
export function valueArb(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) {
    return fc.oneof({ weight: 12, arbitrary: valueArb(type.ofType as GraphQLInputType, depth) }, { weight: 1, arbitrary: fc.constant(null) });
  }
  const wrong = anyJsonArb();
  const right = rightShape(type, depth);
  return fc.oneof({ weight: 8, arbitrary: right }, { weight: 1, arbitrary: wrong }, { weight: 1, arbitrary: fc.constant(null) });
}

function rightShape(type: GraphQLInputType, depth: number): fc.Arbitrary<unknown> {
  if (isListType(type)) {
    const item = valueArb(type.ofType as GraphQLInputType, depth + 1);
    return fc.oneof(
      { weight: 6, arbitrary: fc.array(item, { maxLength: 4 }) },
      { weight: 1, arbitrary: item }, // a single value where a list is expected (GraphQL coerces it)
      { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 500, max: 5_000 }), stringArb()).map(([n, s]) => Array.from({ length: n }, () => s.slice(0, 20))) },
    );
  }
  if (isEnumType(type)) {
    return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...type.getValues().map((v) => v.name)) }, { weight: 1, arbitrary: stringArb() });
  }
  if (isInputObjectType(type)) {
    if (depth > 4) return fc.constant({});
    const fields = type.getFields();
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, f] of Object.entries(fields)) model[name] = valueArb(f.type, depth + 1);
    const required = Object.values(fields).filter((f) => isNonNullType(f.type)).map((f) => f.name);
    const record = fc.record(model, { requiredKeys: required });
    return fc.oneof(
      { weight: 6, arbitrary: record },
      { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) },
      { weight: 1, arbitrary: fc.tuple(record, fc.string({ maxLength: 8 }), anyJsonArb()).map(([r, k, v]) => ({ ...(r as object), [`x_${k}`]: v })) },
    );
  }
  if (isScalarType(type)) return scalarArb(type.name);
  return anyJsonArb();
}

export interface MutationCall {
  field: string;
  query: string;
  variables: Record<string, unknown>;
}

function selectionFor(type: GraphQLNamedType): string {
  return isCompositeType(type) ? " { __typename }" : "";
}

/** One call of `field` with generated variables; each argument sometimes left out. */
export function mutationCallArb(_schema: GraphQLSchema, field: GraphQLField<unknown, unknown>): fc.Arbitrary<MutationCall> {
  const args = field.args;
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const a of args) model[a.name] = valueArb(a.type);
  const present = fc.subarray(args.map((a) => a.name), { minLength: 0 });
  const required = args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined).map((a) => a.name);
  // Mostly every required argument present; sometimes any subset (missing required → validation error).
  const names = fc.oneof({ weight: 8, arbitrary: present.map((p) => [...new Set([...required, ...p])]) }, { weight: 1, arbitrary: present });
  return fc.tuple(names, fc.record(model, { requiredKeys: args.map((a) => a.name) })).map(([chosen, values]) => {
    const used = args.filter((a) => chosen.includes(a.name));
    const defs = used.map((a) => `$${a.name}: ${a.type.toString()}`).join(", ");
    const call = used.map((a) => `${a.name}: $${a.name}`).join(", ");
    const query = `mutation Fuzz${defs ? `(${defs})` : ""} { ${field.name}${call ? `(${call})` : ""}${selectionFor(getNamedType(field.type))} }`;
    const variables = Object.fromEntries(used.map((a) => [a.name, values[a.name]]));
    return { field: field.name, query, variables };
  });
}

// ---------------------------------------------------------------------------------------------
// Random documents

/** A GraphQL literal from a JSON-ish value (JSON with bare keys; native JSON copes with deep nesting). */
function literal(value: unknown): string {
  if (value === undefined) return "null";
  return JSON.stringify(value).replace(/"([_A-Za-z][_0-9A-Za-z]*)":/g, "$1:");
}

/** A selection on an object type: real fields (with literal args) mixed with unknown ones, aliases, directives, fragments. */
function selectionArb(schema: GraphQLSchema, typeName: string, depth: number): fc.Arbitrary<string> {
  const type = schema.getType(typeName);
  if (!type || !isObjectType(type) || depth > 14) return fc.constant("__typename");
  const fields = Object.values(type.getFields()).filter((f) => !f.name.startsWith("_"));
  const one: fc.Arbitrary<string> = fc.oneof(
    {
      weight: 10,
      arbitrary: fc.constantFrom(...fields).chain((f) => {
        const named = getNamedType(f.type);
        const args = f.args.length
          ? fc.subarray([...f.args]).chain((chosen) =>
              fc.tuple(...chosen.map((a) => valueArb(a.type))).map((vals) => (chosen.length ? `(${chosen.map((a, i) => `${a.name}: ${literal(vals[i])}`).join(", ")})` : "")),
            )
          : fc.constant("");
        const sub = isLeafType(named) ? fc.constant("") : selectionArb(schema, named.name, depth + 1).map((s) => ` { ${s} }`);
        const alias = fc.option(fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,6}$/), { freq: 4 }).map((a) => (a ? `${a}: ` : ""));
        const directive = fc.constantFrom("", "", "", " @include(if: true)", " @skip(if: false)", " @skip(if: true)", " @deprecated", " @include(if: 1)");
        return fc.tuple(alias, args, sub, directive).map(([al, ar, s, d]) => `${al}${f.name}${ar}${d}${s}`);
      }),
    },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-zA-Z]{0,10}$/) }, // probably not a field
    { weight: 1, arbitrary: fc.constant("__typename") },
    { weight: 1, arbitrary: fc.constant(`... on ${typeName} { __typename }`) },
  );
  return fc.array(one, { minLength: 1, maxLength: depth === 0 ? 3 : 4 }).map((parts) => parts.join(" "));
}

/** A random query over the whole graph, or noise that only looks like GraphQL. */
export function documentArb(schema: GraphQLSchema): fc.Arbitrary<string> {
  const tokens = ["{", "}", "(", ")", "query", "mutation", "subscription", "fragment", "on", "...", "$x", ":", "!", "registrants", "first", "nodes", "id", "@skip", "\"", "#", "[", "]", "=", "1", "null"];
  return fc.oneof(
    { weight: 6, arbitrary: selectionArb(schema, "Query", 0).map((s) => `query Q { ${s} }`) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...tokens), { maxLength: 60 }).map((t) => t.join(" ")) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 200 }) },
    // Deep nesting and many aliases: the gateway's limits must answer 400, not fall over.
    { weight: 1, arbitrary: fc.integer({ min: 5, max: 400 }).map((n) => `{ registrants { nodes { ${"memberships { group { ".repeat(n)} id ${"} } ".repeat(n)} } } }`) },
    { weight: 1, arbitrary: fc.integer({ min: 5, max: 3_000 }).map((n) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(" ")} }`) },
  );
}
