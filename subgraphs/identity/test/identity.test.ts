import { randomUUID } from "node:crypto";
import { codesOf, dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";

describe("identity subgraph", () => {
  let sg: TestSubgraph;
  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
  });
  afterAll(() => sg.stop());

  it("creates an identity linked to a registrant, once", async () => {
    const registrantId = randomUUID();
    const create = `mutation ($r: ID) { createIdentity(registrantId: $r) { id registrantId status token } }`;
    const { createIdentity } = dataOf(await sg.request(create, { r: registrantId }, { role: "registrar" }));
    expect(createIdentity).toMatchObject({ registrantId, status: "ACTIVATED" });
    expect(createIdentity.token).toMatch(/^\d{36}$/);
    expect(codesOf(await sg.request(create, { r: registrantId }, { role: "registrar" }))).toEqual(["CONFLICT"]);
    expect(codesOf(await sg.request(create, { r: randomUUID() }, { role: "partner" }))).toEqual(["FORBIDDEN"]);
    const read = dataOf(await sg.request(`query ($id: ID!) { identity(id: $id) { id } }`, { id: createIdentity.id }, { role: "auditor" }));
    expect(read.identity.id).toBe(createIdentity.id);
    expect(codesOf(await sg.request(`{ identity(id: "${randomUUID()}") { id } }`, {}, { role: "auditor" }))).toEqual(["NOT_FOUND"]);
  });

  it("adds Registrant.identity, one query for many registrants", async () => {
    const linked = [randomUUID(), randomUUID(), randomUUID()];
    for (const r of linked) dataOf(await sg.request(`mutation ($r: ID) { createIdentity(registrantId: $r) { id } }`, { r }, { role: "registrar" }));
    const reps = [...linked, randomUUID()].map((id) => ({ __typename: "Registrant", id }));
    sg.sql.length = 0;
    const { _entities } = dataOf(
      await sg.request(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on Registrant { id identity { registrantId status } } } }`, { r: reps }, { role: "service" }),
    );
    expect(_entities.map((e: any) => e.identity?.registrantId ?? null)).toEqual([...linked, null]);
    expect(sg.sql.filter((q) => /from [`"]?identity/.test(q))).toHaveLength(1);
  });
});
