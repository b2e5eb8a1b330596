/**
 * The CLI as a harness uses it: start on port 0, read the URL from the one JSON log line that has
 * it, query, stop with SIGTERM. Runs src/main.ts through scripts/ts-register.js (no build needed).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startAccounts, startReviews } from "./fixtures";
import { compose, gql, tempDir, type TestSubgraph } from "./helpers";

jest.setTimeout(30_000);

const MAIN = join(__dirname, "../src/main.ts");
const REGISTER = join(__dirname, "../../scripts/ts-register.js");

function runCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["-r", REGISTER, MAIN, ...args], {
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", () => {
      const match = /"url":"(http:\/\/[^"]+:\d+\/graphql)"/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`exited with ${code} before listening:\n${stderr}`)));
  });
  return { child, url, exited, output: () => ({ stdout, stderr }) };
}

let accounts: TestSubgraph;
let reviews: TestSubgraph;
const children: ChildProcess[] = [];

beforeAll(async () => {
  accounts = await startAccounts();
  reviews = await startReviews();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await accounts?.stop();
  await reviews?.stop();
});

test("serves a supergraph file on port 0 and stops gracefully on SIGTERM", async () => {
  const file = join(tempDir(), "supergraph.graphql");
  writeFileSync(file, compose([accounts, reviews]));
  const cli = runCli(["--supergraph", file, "--port", "0", "--host", "127.0.0.1"]);
  children.push(cli.child);
  const url = await cli.url;
  expect((await gql(url, "{ me { name reviews { body } } }")).body).toEqual({
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
  expect((await gql(url, "{ me { reviews { body } } }")).body).toEqual({ data: { me: { reviews: [{ body: "great u1" }] } } });
  cli.child.kill("SIGINT");
  expect(await cli.exited).toBe(0);
});

test("exits 1 with a short message when the supergraph cannot be loaded", async () => {
  const cli = runCli(["--supergraph", join(tempDir(), "missing.graphql"), "--port", "0"]);
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
