/**
 * A DPG vendor plugs a subgraph in by adding one entry to supergraph.yaml: no gateway code changes.
 * Our five subgraphs run in-process; the gateway runs as the real CLI process over a copy of
 * schema/supergraph.yaml that points at them, then gets the vendor's entry added while it runs.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { dataOf, graphqlRequest, tokenFor } from "@g2p/kit";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { fileGrievance, startVendorSubgraph, vendorSdl } from "../fixtures/vendor-grievance";
import { REPO_ROOT, spawnServer, startStack, type SpawnedServer, type Stack } from "../src";

describe("a vendor subgraph added to supergraph.yaml", () => {
  let stack: Stack;
  let vendor: { url: string; stop: () => Promise<void> };
  let gateway: SpawnedServer;
  let dir: string;
  let yamlPath: string;
  let config: { subgraphs: Record<string, { routing_url: string; schema: { file: string } }> };

  beforeAll(async () => {
    stack = await startStack();
    vendor = await startVendorSubgraph();
    dir = await mkdtemp(path.join(tmpdir(), "g2p-vendor-"));
    // Our supergraph.yaml, with each subgraph's routing_url pointed at this test's ports.
    config = parseYaml(await readFile(path.join(REPO_ROOT, "schema", "supergraph.yaml"), "utf8"));
    for (const [name, entry] of Object.entries(config.subgraphs)) {
      entry.routing_url = stack.subgraphs[name as keyof Stack["subgraphs"]]!.url;
      entry.schema.file = path.join(REPO_ROOT, "schema", entry.schema.file);
    }
    yamlPath = path.join(dir, "supergraph.yaml");
    await writeFile(yamlPath, stringifyYaml(config));
    await writeFile(path.join(dir, "grievance.graphql"), vendorSdl);
    gateway = await spawnServer(path.join("gateway", "src", "main.ts"), ["--supergraph", yamlPath, "--port", "0"]);
  });
  afterAll(async () => {
    await gateway?.kill();
    await vendor?.stop();
    await stack?.stop();
  });

  it("serves our graph from the yaml, then the vendor's field once its entry is added", async () => {
    const admin = { token: await tokenFor("admin") };
    const { createRegistrant } = dataOf(await graphqlRequest(gateway.url, `mutation { createRegistrant(input: { kind: GROUP, groupName: "Wanjiru household" }) { id } }`, {}, admin));
    fileGrievance(createRegistrant.id, "PAYMENT_NOT_RECEIVED");
    const query = `query ($id: ID!) { registrant(id: $id) { groupName grievances { category status } } }`;

    const before = await graphqlRequest(gateway.url, query, { id: createRegistrant.id }, admin);
    expect(before.errors?.[0]?.message).toMatch(/Cannot query field "grievances"/);

    // The one change a vendor makes: an entry in supergraph.yaml.
    config.subgraphs.grievance = { routing_url: vendor.url, schema: { file: "./grievance.graphql" } };
    await writeFile(yamlPath, stringifyYaml(config));

    let after = await graphqlRequest(gateway.url, query, { id: createRegistrant.id }, admin);
    for (let i = 0; i < 100 && after.errors; i++) {
      await new Promise((r) => setTimeout(r, 100)); // the gateway reloads on file change
      after = await graphqlRequest(gateway.url, query, { id: createRegistrant.id }, admin);
    }
    expect(dataOf(after).registrant).toEqual({ groupName: "Wanjiru household", grievances: [{ category: "PAYMENT_NOT_RECEIVED", status: "OPEN" }] });
    expect(dataOf(await graphqlRequest(gateway.url, `{ grievanceCategories }`, {}, admin)).grievanceCategories).toContain("WRONG_AMOUNT");
  });

  it("keeps serving the old graph when the yaml is broken", async () => {
    await writeFile(yamlPath, "subgraphs:\n  broken: { routing_url: http://127.0.0.1:1/graphql, schema: { file: ./missing.graphql } }\n");
    await new Promise((r) => setTimeout(r, 1500));
    const admin = { token: await tokenFor("admin") };
    expect(dataOf(await graphqlRequest(gateway.url, `{ grievanceCategories registrants(first: 1) { totalCount } }`, {}, admin)).registrants.totalCount).toBe(1);
  });
});
