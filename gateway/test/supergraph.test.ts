/**
 * Where the graph comes from: a supergraph file watched and hot-reloaded (a broken file keeps the
 * old graph), and a Rover-format supergraph.yaml composed with @apollo/composition.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { composeFromYaml, type RunningGateway } from "../src";
import { ACCOUNTS_EXTRA_SDL, ACCOUNTS_SDL, startAccounts, startReviews } from "./fixtures";
import { FED, baseOf, compose, gatewayFor, gql, tempDir, waitFor, type TestSubgraph } from "./helpers";

jest.setTimeout(30_000);

let accounts: TestSubgraph;
let reviews: TestSubgraph;

beforeAll(async () => {
  accounts = await startAccounts(); // serves `extra` even when a supergraph does not route it
  reviews = await startReviews();
});
afterAll(async () => {
  await accounts?.stop();
  await reviews?.stop();
});

const v1 = () => compose([{ ...accounts, sdl: `${FED}\n${ACCOUNTS_SDL}` }, reviews]);
const v2 = () => compose([{ ...accounts, sdl: `${FED}\n${ACCOUNTS_EXTRA_SDL}` }, reviews]);

async function reloads(gw: RunningGateway, result: "success" | "failure"): Promise<number> {
  const text = await (await fetch(`${baseOf(gw.url)}/metrics`)).text();
  const match = new RegExp(`g2p_gateway_supergraph_reloads_total\\{result="${result}"\\} (\\d+)`).exec(text);
  return match ? Number(match[1]) : 0;
}

describe("a supergraph .graphql file", () => {
  let dir: string;
  let file: string;
  let gw: RunningGateway;

  beforeAll(async () => {
    dir = tempDir();
    file = join(dir, "supergraph.graphql");
    writeFileSync(file, v1());
    gw = await gatewayFor({ supergraphPath: file });
  });
  afterAll(() => gw?.stop());

  test("is hot-reloaded on change, and a broken file keeps the old graph", async () => {
    const before = await gql(gw.url, "{ extra }");
    expect(before.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");

    writeFileSync(file, v2());
    const reloaded = await waitFor(async () => {
      const res = await gql(gw.url, "{ extra hello }");
      return res.body.data?.extra === "extra!" && res;
    }, 8_000, "the new field to be served");
    expect(reloaded.body).toEqual({ data: { extra: "extra!", hello: "hi" } });

    const failuresBefore = await reloads(gw, "failure");
    writeFileSync(file, "this is not a supergraph {");
    await waitFor(async () => (await reloads(gw, "failure")) > failuresBefore, 8_000, "the failed reload");
    expect((await gql(gw.url, "{ extra me { reviews { body } } }")).body).toEqual({
      data: { extra: "extra!", me: { reviews: [{ body: "great u1" }] } },
    });

    // A valid SDL that is not a supergraph is refused by the gateway itself, also keeping the graph.
    const failuresNow = await reloads(gw, "failure");
    writeFileSync(file, "type Query { hello: String }");
    await waitFor(async () => (await reloads(gw, "failure")) > failuresNow, 8_000, "the second failed reload");
    expect((await gql(gw.url, "{ extra }")).body).toEqual({ data: { extra: "extra!" } });
    expect((await fetch(`${baseOf(gw.url)}/ready`)).status).toBe(200);

    // Replaced by rename, as editors and git do.
    writeFileSync(join(dir, "next.tmp"), v1());
    renameSync(join(dir, "next.tmp"), file);
    await waitFor(async () => (await gql(gw.url, "{ extra }")).status === 400, 8_000, "the field to disappear");
  });
});

describe("supergraph.yaml", () => {
  function writeYaml(dir: string, files: Record<string, string>, yaml: string): string {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const path = join(dir, "supergraph.yaml");
    writeFileSync(path, yaml);
    return path;
  }

  const twoFiles = () => `
federation_version: =2.3.2
subgraphs:
  accounts:
    routing_url: ${accounts.url}
    schema:
      file: ./schemas/accounts.graphql
  reviews:
    routing_url: ${reviews.url}
    schema:
      file: schemas/reviews.graphql
`;

  test("composes two subgraphs from files relative to the yaml", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "schemas"));
    const path = writeYaml(dir, { "schemas/accounts.graphql": `${FED}\n${ACCOUNTS_SDL}`, "schemas/reviews.graphql": reviews.sdl }, twoFiles());
    const result = await composeFromYaml(path);
    if (!("supergraphSdl" in result)) throw new Error(result.errors.join("\n"));
    expect(result.supergraphSdl).toContain(`@join__graph(name: "accounts", url: "${accounts.url}")`);
    expect(result.supergraphSdl).toContain(`@join__graph(name: "reviews", url: "${reviews.url}")`);
    expect(Array.isArray(result.hints)).toBe(true);
  });

  test("reports every problem as a line naming the subgraph", async () => {
    const dir = tempDir();
    const path = writeYaml(
      dir,
      { "accounts.graphql": "type Query { broken" },
      `subgraphs:
  accounts: { routing_url: http://localhost:1/graphql, schema: { file: accounts.graphql } }
  reviews: { routing_url: http://localhost:2/graphql, schema: { file: missing.graphql } }
  nourl: { schema: { file: accounts.graphql } }
`,
    );
    const result = await composeFromYaml(path);
    expect("errors" in result && result.errors).toEqual([
      expect.stringMatching(/^\[accounts\] .*accounts\.graphql: Syntax Error/),
      expect.stringMatching(/^\[reviews\] could not read the schema from .*missing\.graphql/),
      "[nourl] routing_url is required when the schema comes from a file",
    ]);
  });

  test("reports composition errors with their code", async () => {
    const dir = tempDir();
    const clash = `${FED}\ntype Query { hello: Int }`; // accounts says String, not @shareable
    const path = writeYaml(
      dir,
      { "a.graphql": `${FED}\n${ACCOUNTS_SDL}`, "b.graphql": clash },
      `subgraphs:
  accounts: { routing_url: http://localhost:1/graphql, schema: { file: a.graphql } }
  other: { routing_url: http://localhost:2/graphql, schema: { file: b.graphql } }
`,
    );
    const result = await composeFromYaml(path);
    expect("errors" in result).toBe(true);
    if ("errors" in result) expect(result.errors.join("\n")).toMatch(/^[A-Z_]+: .*hello/m);
  });

  test("fetches the SDL of a subgraph_url entry with _service { sdl }", async () => {
    const dir = tempDir();
    const path = writeYaml(
      dir,
      {},
      `subgraphs:
  reviews:
    schema:
      subgraph_url: ${reviews.url}
`,
    );
    const result = await composeFromYaml(path);
    if (!("supergraphSdl" in result)) throw new Error(result.errors.join("\n"));
    expect(result.supergraphSdl).toContain(`@join__graph(name: "reviews", url: "${reviews.url}")`);
  });

  test("the gateway serves it and reloads when a listed schema file changes", async () => {
    const dir = tempDir();
    const path = writeYaml(
      dir,
      { "accounts.graphql": `${FED}\n${ACCOUNTS_SDL}`, "reviews.graphql": reviews.sdl },
      twoFiles().replace("./schemas/accounts.graphql", "accounts.graphql").replace("schemas/reviews.graphql", "reviews.graphql"),
    );
    const gw = await gatewayFor({ supergraphPath: path });
    try {
      expect((await gql(gw.url, "{ me { name reviews { body } } }")).body).toEqual({
        data: { me: { name: "Ada", reviews: [{ body: "great u1" }] } },
      });
      writeFileSync(join(dir, "accounts.graphql"), `${FED}\n${ACCOUNTS_EXTRA_SDL}`);
      await waitFor(async () => (await gql(gw.url, "{ extra }")).body.data?.extra === "extra!", 8_000, "the reload");

      // A schema file that no longer composes: logged, old graph kept.
      writeFileSync(join(dir, "reviews.graphql"), `${FED}\ntype Query { hello: Int }`);
      await waitFor(async () => (await reloads(gw, "failure")) > 0, 8_000, "the failed reload");
      expect((await gql(gw.url, "{ extra me { reviews { body } } }")).body.data).toEqual({
        extra: "extra!",
        me: { reviews: [{ body: "great u1" }] },
      });
    } finally {
      await gw.stop();
    }
  });
});

test("a gateway does not start on a supergraph that does not load", async () => {
  const dir = tempDir();
  await expect(gatewayFor({ supergraphPath: join(dir, "missing.graphql") })).rejects.toThrow(/Could not load the supergraph/);
});
