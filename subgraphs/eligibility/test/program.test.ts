import { randomUUID } from "node:crypto";
import { codesOf, dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";

describe("eligibility subgraph", () => {
  let sg: TestSubgraph;
  beforeAll(async () => {
    sg = await startTestSubgraph(subgraph);
  });
  afterAll(() => sg.stop());
  const manager = { role: "program_manager" as const };
  const createProgram = `mutation ($i: CreateProgramInput!) { createProgram(input: $i) { id name target currency } }`;

  it("creates a program and validates its input", async () => {
    const { createProgram: p } = dataOf(await sg.request(createProgram, { i: { name: "Child grant", target: "GROUP", currency: "KES" } }, manager));
    expect(p).toMatchObject({ name: "Child grant", target: "GROUP", currency: "KES" });
    expect(codesOf(await sg.request(createProgram, { i: { name: "x", target: "GROUP", currency: "shillings" } }, manager))).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await sg.request(createProgram, { i: { name: "x", target: "GROUP", currency: "KES" } }, { role: "approver" }))).toEqual(["FORBIDDEN"]);
    expect(dataOf(await sg.request(`query ($id: ID!) { program(id: $id) { name } }`, { id: p.id }, { role: "auditor" })).program.name).toBe("Child grant");
  });

  it("enrolls registrants once and lists Registrant.enrollments in one query", async () => {
    const { createProgram: a } = dataOf(await sg.request(createProgram, { i: { name: "A", target: "INDIVIDUAL", currency: "KES" } }, manager));
    const { createProgram: b } = dataOf(await sg.request(createProgram, { i: { name: "B", target: "INDIVIDUAL", currency: "KES" } }, manager));
    const people = [randomUUID(), randomUUID()];
    const enroll = `mutation ($p: ID!, $r: ID!) { enroll(programId: $p, registrantId: $r) { state program { name } } }`;
    for (const r of people) for (const p of [a, b]) dataOf(await sg.request(enroll, { p: p.id, r }, manager));
    expect(codesOf(await sg.request(enroll, { p: a.id, r: people[0] }, manager))).toEqual(["CONFLICT"]);
    expect(codesOf(await sg.request(enroll, { p: randomUUID(), r: people[0] }, manager))).toEqual(["NOT_FOUND"]);
    sg.sql.length = 0;
    const { _entities } = dataOf(
      await sg.request(
        `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Registrant { enrollments { state program { name } } } } }`,
        { r: people.map((id) => ({ __typename: "Registrant", id })) },
        { role: "service" },
      ),
    );
    expect(_entities.map((e: any) => e.enrollments.map((x: any) => x.program.name))).toEqual([["A", "B"], ["A", "B"]]);
    expect(sg.sql.filter((q) => /^select/i.test(q.trim()))).toHaveLength(2); // enrollments, then programs
  });
});
