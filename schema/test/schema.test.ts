import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { composeCurrent, diffSupergraphs, runSchemaCheck, SUPERGRAPH_GRAPHQL, subgraphSdlPath } from "../src";

describe("committed schema", () => {
  it("is what `npm run compose` produces from the code now, byte for byte", async () => {
    const { result, printed } = await composeCurrent();
    if ("errors" in result) throw new Error(result.errors.join("\n"));
    for (const [name, sdl] of printed) {
      expect({ name, sdl: await readFile(subgraphSdlPath(name), "utf8") }).toEqual({ name, sdl });
    }
    // If this fails: run `npm run compose` and commit schema/.
    expect(await readFile(SUPERGRAPH_GRAPHQL, "utf8")).toBe(`${result.supergraphSdl.trimEnd()}\n`);
  });
});

describe("breaking-change check", () => {
  let committed: string;
  beforeAll(async () => {
    committed = await readFile(SUPERGRAPH_GRAPHQL, "utf8");
  });

  /** The committed supergraph with one line of the Registrant type removed. */
  function withoutRegistrantField(sdl: string, field: string): string {
    const start = sdl.indexOf("\ntype Registrant\n");
    const line = sdl.indexOf(`\n  ${field}:`, start);
    expect(line).toBeGreaterThan(start);
    return sdl.slice(0, line) + sdl.slice(sdl.indexOf("\n", line + 1));
  }

  it("fails on a removed field", async () => {
    const after = withoutRegistrantField(committed, "kind");
    const changes = await diffSupergraphs(committed, after);
    expect(changes.breaking.map((c) => c.message)).toEqual([expect.stringContaining("'kind' was removed from object type 'Registrant'")]);
  });

  it("accepts an added field as safe", async () => {
    const before = withoutRegistrantField(committed, "kind");
    const changes = await diffSupergraphs(before, committed);
    expect(changes.breaking).toHaveLength(0);
    expect(changes.safe.map((c) => c.message)).toEqual([expect.stringContaining("'kind' was added to object type 'Registrant'")]);
  });

  it("ignores the join__ machinery: recomposing the same graph is no change", async () => {
    const changes = await diffSupergraphs(committed, committed);
    expect([...changes.breaking, ...changes.dangerous, ...changes.safe]).toHaveLength(0);
  });
});

describe("npm run schema:check", () => {
  const run = async (committedPath?: string) => {
    const lines: string[] = [];
    const code = await runSchemaCheck({ committedPath, out: (l) => lines.push(l), err: (l) => lines.push(l) });
    return { code, output: lines.join("\n") };
  };

  it("passes against the committed supergraph", async () => {
    expect((await run()).code).toBe(0);
  });

  it("fails when the code has removed a field the committed graph has", async () => {
    const committed = await readFile(SUPERGRAPH_GRAPHQL, "utf8");
    const start = committed.indexOf("\ntype Registrant\n");
    const close = committed.indexOf("\n}", start);
    const withExtra = `${committed.slice(0, close)}\n  legacyCode: String @join__field(graph: REGISTRY)${committed.slice(close)}`;
    const file = path.join(await mkdtemp(path.join(tmpdir(), "g2p-check-")), "supergraph.graphql");
    await writeFile(file, withExtra);
    const { code, output } = await run(file);
    expect(code).toBe(1);
    expect(output).toMatch(/BREAKING: Field 'legacyCode' was removed from object type 'Registrant'/);
  });
});
