import { randomUUID } from "node:crypto";
import { AuditEntry, codesOf, dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { createIdentitySubgraph, Identity, ids } from "../src";
import { ADMIN, clock, createPerson, REGISTRAR } from "./helpers";

describe("identities", () => {
  let sg: TestSubgraph;
  beforeAll(async () => {
    sg = await startTestSubgraph(createIdentitySubgraph({ now: clock.now }));
  });
  afterAll(() => sg.stop());

  it("issues a UIN that passes Verhoeff and the filters, stored only hashed and sealed", async () => {
    const registrantId = randomUUID();
    const person = await createPerson(sg, registrantId);
    expect(person.uin).toMatch(/^\d{10}$/);
    
    expect(ids.verhoeffValid(person.uin) && ids.uinFilterViolation(person.uin) === null).toBe(true);
    const rows = await sg.orm.em.fork().find(Identity, {});
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(person.uin);
    expect(JSON.stringify(rows)).not.toContain("Amina");
    // One identity per registrant.
    const again = await sg.request(`mutation ($r: ID) { createIdentity(registrantId: $r) { id } }`, { r: registrantId }, REGISTRAR);
    expect(codesOf(again)).toEqual(["CONFLICT"]);
  });

  it("shows the raw UIN and VIDs only to registrar and admin; demographics only with personal_data:read", async () => {
    const person = await createPerson(sg);
    const q = `query ($id: ID!) { identity(id: $id) { id status token uin demographics { names { language value } dateOfBirth } } }`;
    const asRegistrar = dataOf(await sg.request(q, { id: person.id }, REGISTRAR)).identity;
    expect(asRegistrar.uin).toBe(person.uin);
    expect(asRegistrar.demographics.dateOfBirth).toBe("1990-04-12");
    for (const role of ["auditor", "service"] as const) {
      const r = await sg.request(q, { id: person.id }, { role });
      expect(r.data.identity.uin).toBeNull();
      expect(codesOf(r)).toContain("FORBIDDEN");
      expect(r.dump).not.toContain(person.uin);
    }
    const auditor = await sg.request(q, { id: person.id }, { role: "auditor" });
    expect(auditor.data.identity.demographics).toBeNull();
    expect(auditor.data.identity.token).toMatch(/^\d{36}$/);
    for (const role of ["partner", "merchant", "program_manager"] as const) {
      const r = await sg.request(q, { id: person.id }, { role, partnerId: "p-x" });
      expect(codesOf(r)).toEqual(["FORBIDDEN"]);
      expect(r.dump).not.toContain(person.uin);
    }
    expect(codesOf(await sg.request(q, { id: person.id }))).toEqual(["UNAUTHENTICATED"]);
  });

  it("creates, revokes and regenerates VIDs under the VID policy, audited", async () => {
    const person = await createPerson(sg);
    const create = `mutation ($id: ID!, $t: VidType!) { createVid(identityId: $id, type: $t) { id vid type status expiresAt transactionsAllowed } }`;
    const perpetual = dataOf(await sg.request(create, { id: person.id, t: "PERPETUAL" }, REGISTRAR)).createVid;
    expect(perpetual).toMatchObject({ type: "PERPETUAL", status: "ACTIVE", expiresAt: null, transactionsAllowed: null });
    
    expect(ids.verhoeffValid(perpetual.vid) && ids.vidFilterViolation(perpetual.vid) === null).toBe(true);
    // Perpetual: one instance; a second one revokes the first (autoRestoreAllowed).
    const second = dataOf(await sg.request(create, { id: person.id, t: "PERPETUAL" }, REGISTRAR)).createVid;
    const list = dataOf(await sg.request(`query ($id: ID!) { identity(id: $id) { vids { id status replacedById } } }`, { id: person.id }, REGISTRAR)).identity.vids;
    expect(list).toEqual([
      { id: perpetual.id, status: "REVOKED", replacedById: second.id },
      { id: second.id, status: "ACTIVE", replacedById: null },
    ]);
    // Temporary: 5 instances, then IDR-VID-003.
    for (let i = 0; i < 5; i++) dataOf(await sg.request(create, { id: person.id, t: "TEMPORARY" }, REGISTRAR));
    const sixth = await sg.request(create, { id: person.id, t: "TEMPORARY" }, REGISTRAR);
    expect(sixth.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", mosipCode: "IDR-VID-003" });
    // Revoke then regenerate.
    const revoked = dataOf(await sg.request(`mutation ($id: ID!) { revokeVid(id: $id) { status } }`, { id: second.id }, REGISTRAR)).revokeVid;
    expect(revoked.status).toBe("REVOKED");
    const twice = await sg.request(`mutation ($id: ID!) { revokeVid(id: $id) { status } }`, { id: second.id }, REGISTRAR);
    expect(twice.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", mosipCode: "IDR-VID-001" });
    // An auditor cannot create VIDs nor read them.
    expect(codesOf(await sg.request(create, { id: person.id, t: "ONE_TIME_USE" }, { role: "auditor" }))).toEqual(["FORBIDDEN"]);
    const trail = await sg.orm.em.fork().find(AuditEntry, { entityType: "Identity", entityId: person.id }, { orderBy: { at: "asc" } });
    expect(trail.map((t) => t.action)).toEqual(expect.arrayContaining(["identity.create", "vid.create", "vid.revoke"]));
    expect(JSON.stringify(trail)).not.toContain(perpetual.vid);
    expect(JSON.stringify(trail)).not.toContain(person.uin);
  });

  it("blocks and deactivates an identity (VIDs follow), audited", async () => {
    const person = await createPerson(sg);
    dataOf(await sg.request(`mutation ($id: ID!) { createVid(identityId: $id, type: PERPETUAL) { id } }`, { id: person.id }, REGISTRAR));
    const set = `mutation ($id: ID!, $s: IdentityStatus!) { setIdentityStatus(id: $id, status: $s) { status } }`;
    expect(dataOf(await sg.request(set, { id: person.id, s: "DEACTIVATED" }, ADMIN)).setIdentityStatus.status).toBe("DEACTIVATED");
    const vids = dataOf(await sg.request(`query ($id: ID!) { identity(id: $id) { vids { status } } }`, { id: person.id }, ADMIN)).identity.vids;
    expect(vids).toEqual([{ status: "DEACTIVATED" }]);
    expect(codesOf(await sg.request(set, { id: person.id, s: "ACTIVATED" }, { role: "auditor" }))).toEqual(["FORBIDDEN"]);
    const trail = await sg.orm.em.fork().find(AuditEntry, { entityType: "Identity", entityId: person.id, action: "identity.status" });
    expect(trail).toHaveLength(1);
  });

  it("adds Registrant.identity and Registrant.idVerification, one query for many registrants", async () => {
    const linked = [randomUUID(), randomUUID(), randomUUID()];
    for (const r of linked) await createPerson(sg, r);
    const reps = [...linked, randomUUID()].map((id) => ({ __typename: "Registrant", id }));
    const q = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Registrant { id identity { id status token } idVerification { status method verifiedAt token } } } }`;
    sg.sql.length = 0;
    const { _entities } = dataOf(await sg.request(q, { r: reps }, { role: "service" }));
    expect(_entities.map((e: any) => e.identity?.status ?? null)).toEqual(["ACTIVATED", "ACTIVATED", "ACTIVATED", null]);
    expect(_entities[0].idVerification).toMatchObject({ status: "VERIFIED", method: "ENROLLMENT" });
    expect(_entities[0].idVerification.token).toBe(_entities[0].identity.token);
    expect(sg.sql.filter((s) => /^select/i.test(s.trim()))).toHaveLength(1);
    // A partner sees the verification and its own token, not the identity record.
    const asPartner = await sg.request(q, { r: reps.slice(0, 1) }, { role: "partner", partnerId: "unknown-partner" });
    expect(asPartner.data._entities[0].identity).toBeNull();
    expect(asPartner.data._entities[0].idVerification.token).toMatch(/^\d{36}$/);
    expect(asPartner.data._entities[0].idVerification.token).not.toBe(_entities[0].idVerification.token);
  });
});
