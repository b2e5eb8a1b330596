import { randomUUID } from "node:crypto";
import { AuditEntry, codesOf, dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { createIdentitySubgraph } from "../src";
import { TokenSeedChunk } from "../src/entities/registrant-identity.entity";
import { AUTH, authInput, clock, createPartner, createPerson, REGISTRAR, type PartnerHandle, type Person } from "./helpers";

describe("token seeding and presence checks", () => {
  let sg: TestSubgraph;
  let bank: PartnerHandle;
  const people: Person[] = [];
  beforeAll(async () => {
    sg = await startTestSubgraph(createIdentitySubgraph({ now: clock.now }));
    bank = await createPartner(sg, "bank-seed");
    for (let i = 0; i < 4; i++) people.push(await createPerson(sg));
  });
  afterAll(() => sg.stop());

  it("verifies ids + demographics in bulk and stores each registrant's token; failures carry the MOSIP code", async () => {
    const vid = dataOf(await sg.request(`mutation ($id: ID!) { createVid(identityId: $id, type: PERPETUAL) { vid } }`, { id: people[1]!.id }, REGISTRAR)).createVid.vid;
    const registrants = people.map(() => randomUUID()).concat([randomUUID(), randomUUID()]);
    const d = (p: Person) => ({ names: [p.demographics.names[0]], dateOfBirth: p.demographics.dateOfBirth });
    const records = [
      { registrantId: registrants[0], individualId: people[0]!.uin, demographics: d(people[0]!) },
      { registrantId: registrants[1], individualId: vid, demographics: d(people[1]!) },
      { registrantId: registrants[2], individualId: people[2]!.uin, demographics: { ...d(people[2]!), dateOfBirth: "1970-01-01" } },
      { registrantId: registrants[3], individualId: "5076291708", demographics: d(people[3]!) },
      { registrantId: registrants[4], individualId: "5075291708", demographics: d(people[3]!) },
    ];
    const job = dataOf(await sg.request(`mutation ($i: SeedTokensInput!) { seedTokens(input: $i) { id status } }`, { i: { partnerId: "bank-seed", records } }, REGISTRAR)).seedTokens;
    await sg.jobs.waitFor(job.id, 20_000);
    const status = dataOf(await sg.request(`query ($id: ID!) { tokenSeedingJob(id: $id) { status totalChunks doneChunks failedChunks } }`, { id: job.id }, { role: "auditor" })).tokenSeedingJob;
    expect(status).toEqual({ status: "COMPLETED", totalChunks: 1, doneChunks: 1, failedChunks: 0 });
    // Staged ids are gone once their chunk committed.
    expect(await sg.orm.em.fork().count(TokenSeedChunk, {})).toBe(0);

    const reps = registrants.map((id) => ({ __typename: "Registrant", id }));
    const q = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Registrant { id idVerification { status method errorCode token } } } }`;
    const asBank = dataOf(await sg.request(q, { r: reps }, bank.caller))._entities.map((e: any) => e.idVerification);
    expect(asBank.map((v: any) => v && [v.status, v.errorCode])).toEqual([
      ["VERIFIED", null],
      ["VERIFIED", null],
      ["FAILED", "IDA-DEA-001"],
      ["FAILED", "IDA-MLC-027"],
      ["FAILED", "IDA-MLC-002"],
      null,
    ]);
    // The stored token is the one the partner gets when the person authenticates (UIN or VID alike).
    const authToken = dataOf(await sg.request(AUTH, { i: authInput(bank, people[1]!.uin, { demographics: d(people[1]!) }) }, bank.caller)).authenticate.authToken;
    expect(asBank[1].token).toBe(authToken);
    expect(asBank[2].token).toBeNull();
    // Another partner (or staff) gets another token for the same registrant.
    const asStaff = dataOf(await sg.request(q, { r: reps.slice(0, 2) }, { role: "program_manager" }))._entities;
    expect(asStaff[1].idVerification.token).toMatch(/^\d{36}$/);
    expect(asStaff[1].idVerification.token).not.toBe(authToken);
    const audit = await sg.orm.em.fork().find(AuditEntry, { action: "token_seeding.start" });
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(people[0]!.uin);
    expect(codesOf(await sg.request(`mutation ($i: SeedTokensInput!) { seedTokens(input: $i) { id } }`, { i: { records } }, bank.caller))).toEqual(["FORBIDDEN"]);
  });

  it("answers yes/no whether a registrant authenticated for a transaction, never the id", async () => {
    const registrantId = randomUUID();
    const p = await createPerson(sg, registrantId);
    const q = `query ($r: ID!, $t: String!, $w: Int) { authenticatedForTransaction(registrantId: $r, transactionId: $t, withinSeconds: $w) }`;
    expect(dataOf(await sg.request(q, { r: registrantId, t: "redeem-42" }, { role: "service" })).authenticatedForTransaction).toBe(false);
    await sg.request(AUTH, { i: authInput(bank, p.uin, { demographics: { dateOfBirth: "1900-01-01" }, transactionId: "redeem-42" }) }, bank.caller);
    expect(dataOf(await sg.request(q, { r: registrantId, t: "redeem-42" }, { role: "service" })).authenticatedForTransaction).toBe(false);
    dataOf(await sg.request(AUTH, { i: authInput(bank, p.uin, { demographics: { dateOfBirth: "1990-04-12" }, transactionId: "redeem-42" }) }, bank.caller));
    const yes = await sg.request(q, { r: registrantId, t: "redeem-42" }, { role: "service" });
    expect(dataOf(yes).authenticatedForTransaction).toBe(true);
    expect(yes.dump).not.toContain(p.uin);
    expect(dataOf(await sg.request(q, { r: registrantId, t: "redeem-43" }, { role: "service" })).authenticatedForTransaction).toBe(false);
    expect(dataOf(await sg.request(q, { r: randomUUID(), t: "redeem-42" }, { role: "service" })).authenticatedForTransaction).toBe(false);
    clock.offsetMs = 20 * 60_000;
    expect(dataOf(await sg.request(q, { r: registrantId, t: "redeem-42", w: 900 }, { role: "service" })).authenticatedForTransaction).toBe(false);
    clock.offsetMs = 0;
    expect(codesOf(await sg.request(q, { r: registrantId, t: "redeem-42" }, { role: "merchant" }))).toEqual(["FORBIDDEN"]);
  });
});
