/**
 * Enrollment from ODK Central, end to end: the ODK Central simulator (a real HTTP server speaking
 * Central's OData API) -> importFromOdkCentral through the gateway -> registrants found through the
 * gateway. Also: paging with @odata.nextLink, a retried 503, the submissionDate delta, idempotent
 * re-import, and the simulator's responses checked against Central's published OpenAPI schemas.
 */
import fs from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import { parse as parseYaml } from "yaml";
import { codesOf, dataOf } from "@g2p/kit";
import { startStack, type Stack } from "../src";
import { householdSubmission, HOUSEHOLD_MAPPING, startOdkCentralSimulator, type OdkCentralSimulator } from "../simulators/odk-central";

const registrar = { role: "registrar" as const, sub: "registrar-e2e" };
const SPEC = path.resolve(__dirname, "../fixtures/standards/odk-central-api/api.yaml");

async function waitImport(stack: Stack, id: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const imp = dataOf(
      await stack.request(
        `query ($id: ID!) { registryImport(id: $id) { rowsStaged created updated unchanged failedRows highWatermark progress { status totalChunks doneChunks error } issues { rowNo field reason } } }`,
        { id },
        registrar,
      ),
    ).registryImport;
    if (imp.progress.status === "COMPLETED" || imp.progress.status === "FAILED") return imp;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${imp.progress.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("registry: ODK Central enrollment through the gateway", () => {
  let stack: Stack;
  let odk: OdkCentralSimulator;
  const START = `mutation ($i: OdkImportInput!) { importFromOdkCentral(input: $i) { id } }`;
  const input = () => ({ baseUrl: odk.url, projectId: 3, formId: "household_survey", email: "collector@example.org", password: "secret-password", mapping: HOUSEHOLD_MAPPING, pageSize: 5 });

  beforeAll(async () => {
    [stack, odk] = await Promise.all([startStack(), startOdkCentralSimulator({ failFirst: 1 })]);
    odk.addForm(3, "household_survey", ["members"]);
    odk.addSubmissions(3, "household_survey", Array.from({ length: 20 }, (_, i) => householdSubmission(1000 + i, { submissionDate: new Date(Date.UTC(2026, 1, 1, 0, i)).toISOString() })));
    dataOf(await stack.request(`mutation { defineIdType(name: "NATIONAL_ID", pattern: "[0-9]{8}") { name } }`, {}, registrar));
  }, 60_000);
  afterAll(async () => {
    await Promise.all([stack?.stop(), odk?.stop()]);
  });

  it("imports every household and member, then finds them by area, name and identifier", async () => {
    const imp = await waitImport(stack, dataOf(await stack.request(START, { i: input() }, registrar)).importFromOdkCentral.id);
    expect(imp).toMatchObject({ rowsStaged: 20, failedRows: 0, progress: { status: "COMPLETED", error: null } });
    expect(imp.highWatermark).toBe(new Date(Date.UTC(2026, 1, 1, 0, 19)).toISOString());
    const data = odk.requests.filter((r) => r.url.includes(".svc/Submissions"));
    expect(data[0]!.status).toBe(503); // retried
    expect(data.filter((r) => r.status === 200)).toHaveLength(4); // 20 rows, $top=5, following @odata.nextLink
    expect(data.slice(2).every((r) => r.url.includes("%24skiptoken=") || r.url.includes("$skiptoken="))).toBe(true);

    const sub = householdSubmission(1003);
    const head = (sub.members as any[])[0];
    const found = dataOf(
      await stack.request(
        `query ($v: String!) { registrants(filter: { identifierType: "NATIONAL_ID", identifierValue: $v }) { totalCount nodes { givenName familyName source sourceId memberships { role group { groupName adminAreaCode extra } } } } }`,
        { v: head.national_id },
        registrar,
      ),
    ).registrants;
    expect(found.totalCount).toBe(1);
    expect(found.nodes[0]).toMatchObject({ givenName: head.given_name, familyName: head.family_name, source: "ODK", memberships: [{ role: "HEAD", group: { groupName: (sub.household as any).name, adminAreaCode: (sub.location as any).area } }] });
    const byArea = dataOf(await stack.request(`{ registrants(filter: { kind: GROUP, adminArea: "KE" }) { totalCount } }`, {}, registrar)).registrants;
    expect(byArea.totalCount).toBe(20);
    const byName = dataOf(await stack.request(`query ($n: String!) { registrants(filter: { name: $n }) { nodes { sourceId } } }`, { n: `${head.family_name} ${head.given_name}` }, registrar)).registrants;
    expect(byName.nodes.map((n: any) => n.sourceId)).toContain(found.nodes[0].sourceId);
  });

  it("pulls only newer submissions with a delta, and a full re-import changes nothing", async () => {
    odk.addSubmissions(3, "household_survey", [householdSubmission(2000, { submissionDate: "2026-03-01T10:00:00.000Z" })]);
    odk.requests.length = 0;
    const delta = await waitImport(stack, dataOf(await stack.request(START, { i: { ...input(), delta: true } }, registrar)).importFromOdkCentral.id);
    expect(delta.rowsStaged).toBe(1);
    expect(decodeURIComponent(odk.requests.find((r) => r.url.includes("Submissions"))!.url)).toContain("$filter=__system/submissionDate gt 2026-02-01T00:19:00.000Z");
    const again = await waitImport(stack, dataOf(await stack.request(START, { i: input() }, registrar)).importFromOdkCentral.id);
    expect(again).toMatchObject({ rowsStaged: 21, created: 0, updated: 0, failedRows: 0 });
    expect(dataOf(await stack.request(`{ registrants(filter: { kind: GROUP }) { totalCount } }`, {}, registrar)).registrants.totalCount).toBe(21);
  });

  it("reports a refused login as a failed import, and a bad mapping as BAD_USER_INPUT", async () => {
    const badId = dataOf(await stack.request(START, { i: { ...input(), password: "wrong" } }, registrar)).importFromOdkCentral.id;
    const bad = await waitImport(stack, badId);
    expect(bad.progress).toMatchObject({ status: "FAILED" });
    expect(bad.progress.error).toMatch(/refused the login \(401\)/);
    // Credentials are erased once staging ends, failed or not.
    const stored = (await stack.subgraphs.registry!.orm.em.fork().findOneOrFail("RegistryImport" as never, { id: badId } as never)) as { config: { auth: unknown } };
    expect(stored.config.auth).toBeNull();
    const res = await stack.request(START, { i: { ...input(), mapping: { members: { repeat: "m" } } } }, registrar);
    expect(codesOf(res)).toEqual(["BAD_USER_INPUT"]);
  });

  it("serves what Central's OpenAPI document describes (session, data document envelope), and only documented parameters are used", async () => {
    const spec = parseYaml(fs.readFileSync(SPEC, "utf8"));
    // strict: false lets OpenAPI annotations such as `example` through (they do not validate anything).
    const ajv = new Ajv({ strict: false });
    const sessionSchema = spec.paths["/v1/sessions"].post.responses["200"].content["application/json"].schema;
    const session: any = await (await fetch(`${odk.url}/v1/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "collector@example.org", password: "secret-password" }) })).json();
    expect(ajv.validate(sessionSchema, session)).toBe(true);
    const dataPath = spec.paths["/v1/projects/{projectId}/forms/{xmlFormId}.svc/{table}"].get;
    const documented = new Set(dataPath.parameters.map((p: any) => p.name));
    for (const p of ["$top", "$count", "$expand", "$filter", "$skiptoken"]) expect(documented.has(p)).toBe(true);
    // The envelope (the per-form item schema in the spec is the example form's, so items are checked for __id/__system only).
    const envelope = { ...dataPath.responses["200"].content["application/json"].schema, properties: { ...dataPath.responses["200"].content["application/json"].schema.properties, value: { type: "array", items: { type: "object", required: ["__id", "__system"] } } } };
    const page: any = await (await fetch(`${odk.url}/v1/projects/3/forms/household_survey.svc/Submissions?$top=2&$expand=*`, { headers: { authorization: `Bearer ${session.token}` } })).json();
    expect(ajv.validate(envelope, page)).toBe(true);
    expect(page["@odata.nextLink"]).toMatch(/(\$|%24)skiptoken=/);
    const sub: any = await (await fetch(`${odk.url}/v1/projects/3/forms/household_survey.svc/Submissions.members?$top=3`, { headers: { authorization: `Bearer ${session.token}` } })).json();
    expect(sub.value[0]["__Submissions-id"]).toMatch(/^uuid:/);
    const flat: any = await (await fetch(`${odk.url}/v1/projects/3/forms/household_survey.svc/Submissions?$top=1`, { headers: { authorization: `Bearer ${session.token}` } })).json();
    expect(flat.value[0]["members@odata.navigationLink"]).toMatch(/^Submissions\('uuid(%3A|:).*'\)\/members$/);
    const unsupported = await fetch(`${odk.url}/v1/projects/3/forms/household_survey.svc/Submissions?$filter=${encodeURIComponent("household/income gt 3")}`, { headers: { authorization: `Bearer ${session.token}` } });
    expect(unsupported.status).toBe(501);
  });
});
