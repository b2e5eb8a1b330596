"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The CLI as a harness uses it: start on port 0, read the URL from the one JSON log line that has
 * it, query, stop with SIGTERM. Runs src/main.ts through scripts/ts-register.js (no build needed).
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const fixtures_1 = require("./fixtures");
const helpers_1 = require("./helpers");
jest.setTimeout(30_000);
const MAIN = (0, node_path_1.join)(__dirname, "../src/main.ts");
const REGISTER = (0, node_path_1.join)(__dirname, "../../scripts/ts-register.js");
function runCli(args, env = {}) {
    const child = (0, node_child_process_1.spawn)(process.execPath, ["-r", REGISTER, MAIN, ...args], {
        env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "info", ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk) => (stderr += chunk.toString()));
    const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    const url = new Promise((resolve, reject) => {
        child.stdout.on("data", () => {
            const match = /"url":"(http:\/\/[^"]+:\d+\/graphql)"/.exec(stdout);
            if (match)
                resolve(match[1]);
        });
        void exited.then((code) => reject(new Error(`exited with ${code} before listening:\n${stderr}`)));
    });
    return { child, url, exited, output: () => ({ stdout, stderr }) };
}
let accounts;
let reviews;
const children = [];
beforeAll(async () => {
    accounts = await (0, fixtures_1.startAccounts)();
    reviews = await (0, fixtures_1.startReviews)();
});
afterAll(async () => {
    for (const child of children)
        if (child.exitCode === null)
            child.kill("SIGKILL");
    await accounts?.stop();
    await reviews?.stop();
});
test("serves a supergraph file on port 0 and stops gracefully on SIGTERM", async () => {
    const file = (0, node_path_1.join)((0, helpers_1.tempDir)(), "supergraph.graphql");
    (0, node_fs_1.writeFileSync)(file, (0, helpers_1.compose)([accounts, reviews]));
    const cli = runCli(["--supergraph", file, "--port", "0", "--host", "127.0.0.1"]);
    children.push(cli.child);
    const url = await cli.url;
    expect((await (0, helpers_1.gql)(url, "{ me { name reviews { body } } }")).body).toEqual({
        data: { me: { name: "Ada", reviews: [{ body: "great u1" }] } },
    });
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
    expect(cli.output().stdout).toContain('"msg":"gateway stopped"');
});
test("introspects subgraphs with --introspect (development mode)", async () => {
    const cli = runCli(["--introspect", `accounts=${accounts.url},reviews=${reviews.url}`, "--port", "0"]);
    children.push(cli.child);
    const url = await cli.url;
    expect((await (0, helpers_1.gql)(url, "{ me { reviews { body } } }")).body).toEqual({ data: { me: { reviews: [{ body: "great u1" }] } } });
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(0);
});
test("exits 1 with a short message when the supergraph cannot be loaded", async () => {
    const cli = runCli(["--supergraph", (0, node_path_1.join)((0, helpers_1.tempDir)(), "missing.graphql"), "--port", "0"]);
    children.push(cli.child);
    await expect(cli.url).rejects.toThrow();
    expect(await cli.exited).toBe(1);
    expect(cli.output().stderr).toMatch(/^gateway: Could not load the supergraph/);
    expect(cli.output().stderr).not.toMatch(/\n\s+at /); // no stack trace
});
test("exits 1 naming a bad variable", async () => {
    const cli = runCli([], { PORT: "not-a-port" });
    children.push(cli.child);
    await expect(cli.url).rejects.toThrow();
    expect(await cli.exited).toBe(1);
    expect(cli.output().stderr).toContain("PORT:");
});
//# sourceMappingURL=cli.test.js.map