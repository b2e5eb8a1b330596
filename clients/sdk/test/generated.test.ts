/**
 * The committed generated code must be what the generator makes of the committed supergraph and the
 * operations: this fails when someone changes the graph or an operation without `npm run compose`.
 * The generator runs as its own process (as `npm run compose` runs it): GraphQL Code Generator's CLI
 * package loads ES modules that Jest's module system does not.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { buildSchema, parse, validate } from "graphql";
import { Supergraph } from "@apollo/federation-internals";
import { printSchema } from "graphql";

const SDK = path.resolve(__dirname, "..");
const ROOT = path.resolve(SDK, "..", "..");
const GENERATED = path.join(SDK, "src", "generated", "graphql.ts");
const SUPERGRAPH = path.join(ROOT, "schema", "supergraph.graphql");
const OPERATIONS = path.join(SDK, "operations");
const run = promisify(execFile);

function generator(args: string[]) {
  return run(process.execPath, ["-r", path.join(ROOT, "scripts", "ts-register.js"), path.join(SDK, "codegen", "generate.ts"), ...args], { cwd: ROOT });
}

describe("generated SDK", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "g2p-sdk-gen-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("is up to date with schema/supergraph.graphql and operations/*.graphql (else: npm run compose)", async () => {
    const out = path.join(dir, "fresh.ts");
    await generator(["--out", out]);
    const fresh = await readFile(out, "utf8");
    const committed = await readFile(GENERATED, "utf8");
    if (committed !== fresh) {
      const a = committed.split("\n");
      const b = fresh.split("\n");
      const i = a.findIndex((line, n) => line !== b[n]);
      throw new Error(`clients/sdk/src/generated/graphql.ts is stale (first difference at line ${i + 1}): run npm run compose`);
    }
    // and the --check mode agrees
    await expect(generator(["--check"])).resolves.toBeDefined();
  }, 90_000);

  it("reports a stale file: a graph with one more cycle state fails --check", async () => {
    const graph = readFileSync(SUPERGRAPH, "utf8");
    const changed = graph.replace(/^(\s*)ENDED @join__enumValue\(graph: ELIGIBILITY\)$/m, "$&\n$1ARCHIVED @join__enumValue(graph: ELIGIBILITY)");
    expect(changed).not.toBe(graph);
    const file = path.join(dir, "changed.graphql");
    await writeFile(file, changed);
    const outcome = await generator(["--check", "--supergraph", file]).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code?: number; stderr?: string }) => ({ code: e.code, stderr: e.stderr ?? "" }),
    );
    expect(outcome).toEqual({ code: 1, stderr: expect.stringMatching(/is stale: run npm run compose/) });
  }, 90_000);

  it("fails loudly when an operation no longer matches the graph (a renamed field)", async () => {
    const changed = readFileSync(SUPERGRAPH, "utf8").replace(/(type CycleTotals[^}]*?)totalFee:/, "$1totalFees:");
    const file = path.join(dir, "renamed.graphql");
    await writeFile(file, changed);
    const outcome = await generator(["--out", path.join(dir, "x.ts"), "--supergraph", file]).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code?: number; stderr?: string }) => ({ code: e.code, stderr: e.stderr ?? "" }),
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/totalFee/);
  }, 90_000);

  it("is generated from the API schema: no federation directives or join__ types reach clients", () => {
    const generated = readFileSync(GENERATED, "utf8");
    expect(generated).not.toMatch(/join__|link__/);
    expect(generated).toContain("export const ProgramsDocument");
  });

  it("offers only operations that are valid against the graph's API schema", () => {
    const schema = buildSchema(printSchema(Supergraph.build(readFileSync(SUPERGRAPH, "utf8")).apiSchema().toGraphQLJSSchema()));
    const files = readdirSync(OPERATIONS).filter((f) => f.endsWith(".graphql"));
    expect(files.length).toBeGreaterThanOrEqual(6);
    const doc = parse(files.map((f) => readFileSync(path.join(OPERATIONS, f), "utf8")).join("\n"));
    expect(validate(schema, doc)).toEqual([]);
  });
});
