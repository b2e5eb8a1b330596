import { randomUUID } from "node:crypto";
import { AuditEntry, codesOf, dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { createIdentitySubgraph } from "../src";
import { AbisTemplate } from "../src/entities/enrollment.entities";
import { AUTH, authInput, clock, createPartner, REGISTRAR, type PartnerHandle } from "./helpers";

/** A deterministic pseudo-random unit-ish vector per seed (a "person"), plus small noise per capture. */
function template(seed: number, noise = 0, dims = 64): number[] {
  let x = seed * 2654435761;
  const next = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const base = Array.from({ length: dims }, next);
  let y = (seed + 7) * 97;
  const jitter = () => ((y = (y * 69069 + 1) % 4294967296) / 4294967296) * 2 - 1;
  return base.map((v) => v + noise * jitter());
}

const ENROLL = /* GraphQL */ `
  mutation ($i: EnrollIdentityInput!) {
    enrollIdentity(input: $i) { id status candidates { identityId score modalities } identity { id uin } }
  }
`;

const person = (n: number) => ({ names: [{ language: "eng", value: `Person ${n}` }], dateOfBirth: "1985-01-01", gender: "M", phone: "+254700000001" });

describe("enrollment with biometric dedup", () => {
  let sg: TestSubgraph;
  let bank: PartnerHandle;
  beforeAll(async () => {
    sg = await startTestSubgraph(createIdentitySubgraph({ now: clock.now, config: { dedupMatchThreshold: 0.95, dedupReviewThreshold: 0.8 } }));
    bank = await createPartner(sg, "bank-bio");
  });
  afterAll(() => sg.stop());

  it("issues, detects a duplicate, and sends a near match to manual adjudication", async () => {
    const first = dataOf(await sg.request(ENROLL, { i: { registrantId: randomUUID(), demographics: person(1), biometrics: [{ modality: "FACE", template: template(1) }, { modality: "FINGER", subType: "Left IndexFinger", template: template(11) }] } }, REGISTRAR)).enrollIdentity;
    expect(first).toMatchObject({ status: "ISSUED", candidates: [] });
    expect(first.identity.uin).toMatch(/^\d{10}$/);

    // Same face captured again (small noise), other demographics: a duplicate of the first.
    const dup = dataOf(await sg.request(ENROLL, { i: { demographics: person(2), biometrics: [{ modality: "FACE", template: template(1, 0.02) }] } }, REGISTRAR)).enrollIdentity;
    expect(dup.status).toBe("DUPLICATE");
    expect(dup.identity).toBeNull();
    expect(dup.candidates).toEqual([{ identityId: first.identity.id, score: expect.any(Number), modalities: ["FACE"] }]);
    expect(dup.candidates[0].score).toBeGreaterThanOrEqual(0.95);
    // The duplicate's templates do not stay in the gallery.
    expect(await sg.orm.em.fork().count(AbisTemplate, {})).toBe(2);

    // Someone else entirely: issued.
    const other = dataOf(await sg.request(ENROLL, { i: { demographics: person(3), biometrics: [{ modality: "FACE", template: template(3) }] } }, REGISTRAR)).enrollIdentity;
    expect(other.status).toBe("ISSUED");

    // A blurry capture of person 1: between the review and match thresholds.
    const near = dataOf(await sg.request(ENROLL, { i: { demographics: person(4), biometrics: [{ modality: "FACE", template: template(1, 0.6) }] } }, REGISTRAR)).enrollIdentity;
    expect(near.status).toBe("MANUAL_ADJUDICATION");
    expect(near.candidates[0].identityId).toBe(first.identity.id);
    expect(near.candidates[0].score).toBeGreaterThanOrEqual(0.8);
    expect(near.candidates[0].score).toBeLessThan(0.95);

    const decide = `mutation ($id: ID!, $issue: Boolean!) { adjudicateEnrollment(id: $id, issue: $issue) { status identity { id } decidedAt } }`;
    expect(codesOf(await sg.request(decide, { id: near.id, issue: true }, { role: "auditor" }))).toEqual(["FORBIDDEN"]);
    const decided = dataOf(await sg.request(decide, { id: near.id, issue: true }, REGISTRAR)).adjudicateEnrollment;
    expect(decided.status).toBe("ISSUED");
    expect(decided.identity.id).toBeTruthy();
    const again = await sg.request(decide, { id: near.id, issue: false }, REGISTRAR);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", mosipCode: "IDR-IDC-007" });
    const trail = await sg.orm.em.fork().find(AuditEntry, { entityType: "IdentityEnrollment", entityId: near.id });
    expect(trail.map((t) => t.action)).toEqual(["enrollment.dedup", "enrollment.adjudicate"]);

    // Rejected adjudication.
    const near2 = dataOf(await sg.request(ENROLL, { i: { demographics: person(5), biometrics: [{ modality: "FACE", template: template(3, 0.6) }] } }, REGISTRAR)).enrollIdentity;
    expect(near2.status).toBe("MANUAL_ADJUDICATION");
    expect(dataOf(await sg.request(decide, { id: near2.id, issue: false }, REGISTRAR)).adjudicateEnrollment).toMatchObject({ status: "REJECTED", identity: null });
  });

  it("authenticates biometrically against the enrolled templates", async () => {
    const e = dataOf(await sg.request(ENROLL, { i: { demographics: person(9), biometrics: [{ modality: "FINGER", subType: "Right Thumb", template: template(99) }, { modality: "FACE", template: template(98) }] } }, REGISTRAR)).enrollIdentity;
    const uin = e.identity.uin;
    const ok = await sg.request(AUTH, { i: authInput(bank, uin, { biometrics: [{ modality: "FINGER", subType: "Right Thumb", template: template(99, 0.02) }] }) }, bank.caller);
    expect(ok.data?.authenticate?.authStatus).toBe(true);
    const wrong = await sg.request(AUTH, { i: authInput(bank, uin, { biometrics: [{ modality: "FACE", template: template(12345) }] }) }, bank.caller);
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", mosipCode: "IDA-BIA-001" });
    const twoFaces = await sg.request(AUTH, { i: authInput(bank, uin, { biometrics: [{ modality: "FACE", template: template(98) }, { modality: "FACE", subType: "x", template: template(98) }] }) }, bank.caller);
    expect(twoFaces.errors?.[0]?.extensions?.mosipCode).toBe("IDA-BIA-009");
    const dupFinger = await sg.request(AUTH, { i: authInput(bank, uin, { biometrics: [{ modality: "FINGER", subType: "Right Thumb", template: template(99) }, { modality: "FINGER", subType: "Right Thumb", template: template(99) }] }) }, bank.caller);
    expect(dupFinger.errors?.[0]?.extensions?.mosipCode).toBe("IDA-BIA-002");
    // A locked modality fails; another modality still works.
    dataOf(await sg.request(`mutation ($id: ID!) { lockAuthTypes(identityId: $id, authTypes: [BIO_FACE]) { locked } }`, { id: e.identity.id }, REGISTRAR));
    const locked = await sg.request(AUTH, { i: authInput(bank, uin, { biometrics: [{ modality: "FACE", template: template(98) }] }) }, bank.caller);
    expect(locked.errors?.[0]?.extensions?.mosipCode).toBe("IDA-MLC-019");
    expect((await sg.request(AUTH, { i: authInput(bank, uin, { biometrics: [{ modality: "FINGER", subType: "Right Thumb", template: template(99) }] }) }, bank.caller)).data?.authenticate?.authStatus).toBe(true);
  });
});
