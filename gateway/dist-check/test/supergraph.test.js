"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Where the graph comes from: a supergraph file watched and hot-reloaded (a broken file keeps the
 * old graph), and a Rover-format supergraph.yaml composed with @apollo/composition.
 */
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const src_1 = require("../src");
const fixtures_1 = require("./fixtures");
const helpers_1 = require("./helpers");
jest.setTimeout(30_000);
let accounts;
let reviews;
beforeAll(async () => {
    accounts = await (0, fixtures_1.startAccounts)(); // serves `extra` even when a supergraph does not route it
    reviews = await (0, fixtures_1.startReviews)();
});
afterAll(async () => {
    await accounts?.stop();
    await reviews?.stop();
});
const v1 = () => (0, helpers_1.compose)([{ ...accounts, sdl: `${helpers_1.FED}\n${fixtures_1.ACCOUNTS_SDL}` }, reviews]);
const v2 = () => (0, helpers_1.compose)([{ ...accounts, sdl: `${helpers_1.FED}\n${fixtures_1.ACCOUNTS_EXTRA_SDL}` }, reviews]);
async function reloads(gw, result) {
    const text = await (await fetch(`${(0, helpers_1.baseOf)(gw.url)}/metrics`)).text();
    const match = new RegExp(`g2p_gateway_supergraph_reloads_total\\{result="${result}"\\} (\\d+)`).exec(text);
    return match ? Number(match[1]) : 0;
}
describe("a supergraph .graphql file", () => {
    let dir;
    let file;
    let gw;
    beforeAll(async () => {
        dir = (0, helpers_1.tempDir)();
        file = (0, node_path_1.join)(dir, "supergraph.graphql");
        (0, node_fs_1.writeFileSync)(file, v1());
        gw = await (0, helpers_1.gatewayFor)({ supergraphPath: file });
    });
    afterAll(() => gw?.stop());
    test("is hot-reloaded on change, and a broken file keeps the old graph", async () => {
        const before = await (0, helpers_1.gql)(gw.url, "{ extra }");
        expect(before.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
        (0, node_fs_1.writeFileSync)(file, v2());
        const reloaded = await (0, helpers_1.waitFor)(async () => {
            const res = await (0, helpers_1.gql)(gw.url, "{ extra hello }");
            return res.body.data?.extra === "extra!" && res;
        }, 8_000, "the new field to be served");
        expect(reloaded.body).toEqual({ data: { extra: "extra!", hello: "hi" } });
        const failuresBefore = await reloads(gw, "failure");
        (0, node_fs_1.writeFileSync)(file, "this is not a supergraph {");
        await (0, helpers_1.waitFor)(async () => (await reloads(gw, "failure")) > failuresBefore, 8_000, "the failed reload");
        expect((await (0, helpers_1.gql)(gw.url, "{ extra me { reviews { body } } }")).body).toEqual({
            data: { extra: "extra!", me: { reviews: [{ body: "great u1" }] } },
        });
        // A valid SDL that is not a supergraph is refused by the gateway itself, also keeping the graph.
        const failuresNow = await reloads(gw, "failure");
        (0, node_fs_1.writeFileSync)(file, "type Query { hello: String }");
        await (0, helpers_1.waitFor)(async () => (await reloads(gw, "failure")) > failuresNow, 8_000, "the second failed reload");
        expect((await (0, helpers_1.gql)(gw.url, "{ extra }")).body).toEqual({ data: { extra: "extra!" } });
        expect((await fetch(`${(0, helpers_1.baseOf)(gw.url)}/ready`)).status).toBe(200);
        // Replaced by rename, as editors and git do.
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, "next.tmp"), v1());
        (0, node_fs_1.renameSync)((0, node_path_1.join)(dir, "next.tmp"), file);
        await (0, helpers_1.waitFor)(async () => (await (0, helpers_1.gql)(gw.url, "{ extra }")).status === 400, 8_000, "the field to disappear");
    });
});
describe("supergraph.yaml", () => {
    function writeYaml(dir, files, yaml) {
        for (const [name, text] of Object.entries(files))
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, name), text);
        const path = (0, node_path_1.join)(dir, "supergraph.yaml");
        (0, node_fs_1.writeFileSync)(path, yaml);
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
        const dir = (0, helpers_1.tempDir)();
        (0, node_fs_1.mkdirSync)((0, node_path_1.join)(dir, "schemas"));
        const path = writeYaml(dir, { "schemas/accounts.graphql": `${helpers_1.FED}\n${fixtures_1.ACCOUNTS_SDL}`, "schemas/reviews.graphql": reviews.sdl }, twoFiles());
        const result = await (0, src_1.composeFromYaml)(path);
        if (!("supergraphSdl" in result))
            throw new Error(result.errors.join("\n"));
        expect(result.supergraphSdl).toContain(`@join__graph(name: "accounts", url: "${accounts.url}")`);
        expect(result.supergraphSdl).toContain(`@join__graph(name: "reviews", url: "${reviews.url}")`);
        expect(Array.isArray(result.hints)).toBe(true);
    });
    test("reports every problem as a line naming the subgraph", async () => {
        const dir = (0, helpers_1.tempDir)();
        const path = writeYaml(dir, { "accounts.graphql": "type Query { broken" }, `subgraphs:
  accounts: { routing_url: http://localhost:1/graphql, schema: { file: accounts.graphql } }
  reviews: { routing_url: http://localhost:2/graphql, schema: { file: missing.graphql } }
  nourl: { schema: { file: accounts.graphql } }
`);
        const result = await (0, src_1.composeFromYaml)(path);
        expect("errors" in result && result.errors).toEqual([
            expect.stringMatching(/^\[accounts\] .*accounts\.graphql: Syntax Error/),
            expect.stringMatching(/^\[reviews\] could not read the schema from .*missing\.graphql/),
            "[nourl] routing_url is required when the schema comes from a file",
        ]);
    });
    test("reports composition errors with their code", async () => {
        const dir = (0, helpers_1.tempDir)();
        const clash = `${helpers_1.FED}\ntype Query { hello: Int }`; // accounts says String, not @shareable
        const path = writeYaml(dir, { "a.graphql": `${helpers_1.FED}\n${fixtures_1.ACCOUNTS_SDL}`, "b.graphql": clash }, `subgraphs:
  accounts: { routing_url: http://localhost:1/graphql, schema: { file: a.graphql } }
  other: { routing_url: http://localhost:2/graphql, schema: { file: b.graphql } }
`);
        const result = await (0, src_1.composeFromYaml)(path);
        expect("errors" in result).toBe(true);
        if ("errors" in result)
            expect(result.errors.join("\n")).toMatch(/^[A-Z_]+: .*hello/m);
    });
    test("fetches the SDL of a subgraph_url entry with _service { sdl }", async () => {
        const dir = (0, helpers_1.tempDir)();
        const path = writeYaml(dir, {}, `subgraphs:
  reviews:
    schema:
      subgraph_url: ${reviews.url}
`);
        const result = await (0, src_1.composeFromYaml)(path);
        if (!("supergraphSdl" in result))
            throw new Error(result.errors.join("\n"));
        expect(result.supergraphSdl).toContain(`@join__graph(name: "reviews", url: "${reviews.url}")`);
    });
    test("the gateway serves it and reloads when a listed schema file changes", async () => {
        const dir = (0, helpers_1.tempDir)();
        const path = writeYaml(dir, { "accounts.graphql": `${helpers_1.FED}\n${fixtures_1.ACCOUNTS_SDL}`, "reviews.graphql": reviews.sdl }, twoFiles().replace("./schemas/accounts.graphql", "accounts.graphql").replace("schemas/reviews.graphql", "reviews.graphql"));
        const gw = await (0, helpers_1.gatewayFor)({ supergraphPath: path });
        try {
            expect((await (0, helpers_1.gql)(gw.url, "{ me { name reviews { body } } }")).body).toEqual({
                data: { me: { name: "Ada", reviews: [{ body: "great u1" }] } },
            });
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, "accounts.graphql"), `${helpers_1.FED}\n${fixtures_1.ACCOUNTS_EXTRA_SDL}`);
            await (0, helpers_1.waitFor)(async () => (await (0, helpers_1.gql)(gw.url, "{ extra }")).body.data?.extra === "extra!", 8_000, "the reload");
            // A schema file that no longer composes: logged, old graph kept.
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, "reviews.graphql"), `${helpers_1.FED}\ntype Query { hello: Int }`);
            await (0, helpers_1.waitFor)(async () => (await reloads(gw, "failure")) > 0, 8_000, "the failed reload");
            expect((await (0, helpers_1.gql)(gw.url, "{ extra me { reviews { body } } }")).body.data).toEqual({
                extra: "extra!",
                me: { reviews: [{ body: "great u1" }] },
            });
        }
        finally {
            await gw.stop();
        }
    });
});
test("a gateway does not start on a supergraph that does not load", async () => {
    const dir = (0, helpers_1.tempDir)();
    await expect((0, helpers_1.gatewayFor)({ supergraphPath: (0, node_path_1.join)(dir, "missing.graphql") })).rejects.toThrow(/Could not load the supergraph/);
});
//# sourceMappingURL=supergraph.test.js.map