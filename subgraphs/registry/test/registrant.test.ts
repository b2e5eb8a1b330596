import { AuditEntry, codesOf, dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";

const CREATE = /* GraphQL */ `
  mutation ($input: CreateRegistrantInput!) { createRegistrant(input: $input) { id kind givenName familyName groupName } }
`;
const registrar = { role: "registrar" as const, sub: "registrar-1" };

describe("registry subgraph", () => {
  let sg: TestSubgraph;
  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
  });
  afterAll(() => sg.stop());

  it("creates an individual, audits it, and reads it back", async () => {
    const { createRegistrant } = dataOf(await sg.request(CREATE, { input: { kind: "INDIVIDUAL", givenName: "  Amina ", familyName: "Njeri" } }, registrar));
    expect(createRegistrant).toMatchObject({ kind: "INDIVIDUAL", givenName: "Amina", familyName: "Njeri", groupName: null });
    const read = dataOf(await sg.request(`query ($id: ID!) { registrant(id: $id) { id givenName } }`, { id: createRegistrant.id }, registrar));
    expect(read.registrant).toEqual({ id: createRegistrant.id, givenName: "Amina" });
    const audit = await sg.orm.em.fork().find(AuditEntry, { entityId: createRegistrant.id });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: "registrar-1", action: "registrant.create", entityType: "Registrant" });
  });

  it.each([
    [{ kind: "INDIVIDUAL" }, "givenName"],
    [{ kind: "GROUP", givenName: "x" }, "groupName"],
    [{ kind: "INDIVIDUAL", givenName: "x".repeat(201) }, "givenName"],
    [{ kind: "INDIVIDUAL", givenName: "A", groupName: "Household" }, "groupName"],
  ])("refuses %j with BAD_USER_INPUT on %s, writing nothing", async (input, field) => {
    const before = await sg.orm.em.fork().count(AuditEntry, {});
    const result = await sg.request(CREATE, { input }, registrar);
    expect(codesOf(result)).toEqual(["BAD_USER_INPUT"]);
    expect(result.errors![0]!.extensions!.field).toBe(field);
    expect(await sg.orm.em.fork().count(AuditEntry, {})).toBe(before);
  });

  it("checks the token itself: anonymous, wrong role, no personal-data permission", async () => {
    expect(codesOf(await sg.request(CREATE, { input: { kind: "GROUP", groupName: "H" } }))).toEqual(["UNAUTHENTICATED"]);
    expect(codesOf(await sg.request(CREATE, { input: { kind: "GROUP", groupName: "H" } }, { role: "partner" }))).toEqual(["FORBIDDEN"]);
    expect(codesOf(await sg.request(`{ registrants(first: 1) { totalCount } }`, {}, { token: "Bearer nonsense" }))).toEqual(["UNAUTHENTICATED"]);
    const asPartner = await sg.request(`{ registrants(first: 5) { nodes { id kind givenName } } }`, {}, { role: "partner" });
    expect(codesOf(asPartner)).toContain("FORBIDDEN");
    expect(asPartner.errors!.every((e) => e.path?.at(-1) === "givenName")).toBe(true);
    const masked = await sg.request(`{ registrants(first: 5) { nodes { id kind } } }`, {}, { role: "partner" });
    expect(dataOf(masked).registrants.nodes.length).toBeGreaterThan(0);
  });

  it("pages with cursors through every registrant exactly once", async () => {
    for (let i = 0; i < 7; i++) dataOf(await sg.request(CREATE, { input: { kind: "GROUP", groupName: `Household ${i}` } }, registrar));
    const seen: string[] = [];
    let after: string | null = null;
    let total: number;
    for (;;) {
      const page: any = dataOf(
        await sg.request(
          `query ($after: String) { registrants(first: 3, after: $after, kind: GROUP) { totalCount nodes { id groupName } pageInfo { hasNextPage endCursor } } }`,
          { after },
          registrar,
        ),
      ).registrants;
      total = page.totalCount;
      seen.push(...page.nodes.map((n: { id: string }) => n.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(total).toBe(7);
    expect(new Set(seen).size).toBe(7);
    expect(codesOf(await sg.request(`{ registrants(first: 2, after: "garbage") { totalCount } }`, {}, registrar))).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await sg.request(`{ registrants(first: 1001) { totalCount } }`, {}, registrar))).toEqual(["BAD_USER_INPUT"]);
  });

  it("resolves many entity references with one SQL query", async () => {
    const ids = dataOf(await sg.request(`{ registrants(first: 6) { nodes { id } } }`, {}, registrar)).registrants.nodes.map((n: any) => n.id);
    const representations = [...ids, "00000000-0000-0000-0000-000000000000"].map((id) => ({ __typename: "Registrant", id }));
    sg.sql.length = 0;
    const result = dataOf(
      await sg.request(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on Registrant { id kind } } }`, { r: representations }, { role: "service" }),
    );
    expect(result._entities.slice(0, 6).map((e: any) => e.id)).toEqual(ids);
    expect(result._entities[6]).toBeNull();
    expect(sg.sql.filter((q) => /select/i.test(q) && /registrant/.test(q))).toHaveLength(1);
  });
});

describe("registrantsForProcessing (the bulk contract other blocks read)", () => {
  let sg: TestSubgraph;
  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
    for (let i = 0; i < 5; i++) dataOf(await sg.request(CREATE, { input: { kind: i % 2 ? "GROUP" : "INDIVIDUAL", givenName: i % 2 ? null : `P${i}`, groupName: i % 2 ? `H${i}` : null } }, registrar));
  });
  afterAll(() => sg.stop());
  const PAGE = `query ($after: String, $kind: RegistrantKind) { registrantsForProcessing(first: 2, after: $after, kind: $kind) { nodes { id kind members { id } extra } endCursor hasNextPage } }`;

  it("streams every registrant once, in id order, for the service role only", async () => {
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = dataOf(await sg.request(PAGE, { after }, { role: "service" })).registrantsForProcessing;
      ids.push(...page.nodes.map((n: { id: string }) => n.id));
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(ids).toHaveLength(5);
    expect([...ids].sort()).toEqual(ids);
    expect(codesOf(await sg.request(PAGE, {}, { role: "partner" }))).toEqual(["FORBIDDEN"]);
    const groups = dataOf(await sg.request(PAGE, { kind: "GROUP" }, { role: "service" })).registrantsForProcessing.nodes;
    expect(groups.every((g: any) => g.kind === "GROUP" && Array.isArray(g.members))).toBe(true);
  });
});
