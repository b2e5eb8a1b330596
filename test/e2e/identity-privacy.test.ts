/**
 * Identity through the gateway, as partners and staff use it, with a privacy scan: every response of
 * this suite is kept, and at the end none of those seen by a role not allowed raw ids may contain a
 * UIN or VID issued here (nor any error message, whatever the role).
 */
import { dataOf, type Caller, type GraphQLResult } from "@g2p/kit";
import { startStack, type Stack } from "../src";
import { startSmsGateway, type SmsGateway } from "../simulators/sms-gateway";

const REGISTRAR = { role: "registrar" as const, sub: "registrar-e2e" };
const ADMIN = { role: "admin" as const, sub: "admin-e2e" };
const RAW_ID_ROLES = new Set(["registrar", "admin"]);

describe("identity through the gateway, with a privacy scan", () => {
  let stack: Stack;
  let sms: SmsGateway;
  const seen: { role: string; result: GraphQLResult }[] = [];
  const rawIds: string[] = [];
  const saved = process.env.IDENTITY_SMS_GATEWAY_URL;

  async function call(query: string, variables: Record<string, unknown>, caller: NonNullable<Caller>) {
    const result = await stack.request(query, variables, caller);
    seen.push({ role: caller.role ?? "token", result });
    return result;
  }

  let partner: { credentials: { apiKey: string; licenseKey: string }; caller: { role: "partner"; sub: string; partnerId: string } };
  let other: typeof partner;
  const people: { registrantId: string; identityId: string; uin: string; phone: string; name: string }[] = [];

  async function onboard(id: string, kyc: string[]) {
    const { createAuthPolicy } = dataOf(
      await call(
        `mutation ($i: CreateAuthPolicyInput!) { createAuthPolicy(input: $i) { id } }`,
        { i: { name: `${id} policy`, authTokenType: "PARTNER", allowedAuthTypes: [{ authType: "DEMO" }, { authType: "OTP" }, { authType: "EKYC" }], allowedKycAttributes: kyc } },
        ADMIN,
      ),
    );
    const { createAuthPartner } = dataOf(
      await call(`mutation ($i: CreateAuthPartnerInput!) { createAuthPartner(input: $i) { apiKey licenseKey } }`, { i: { id, name: id, policyId: createAuthPolicy.id } }, ADMIN),
    );
    return { credentials: { apiKey: createAuthPartner.apiKey, licenseKey: createAuthPartner.licenseKey }, caller: { role: "partner" as const, sub: `${id}-svc`, partnerId: id } };
  }

  const auth = (p: typeof partner, individualId: string, extra: Record<string, unknown>) => ({
    i: { individualId, transactionId: `e2e${Math.random().toString(36).slice(2, 9)}`, requestTime: new Date().toISOString(), consentObtained: true, credentials: p.credentials, ...extra },
  });

  beforeAll(async () => {
    sms = await startSmsGateway();
    process.env.IDENTITY_SMS_GATEWAY_URL = sms.url;
    stack = await startStack();
    partner = await onboard("e2e-bank", ["fullName", "gender"]);
    other = await onboard("e2e-shop", ["fullName"]);
    for (let i = 0; i < 3; i++) {
      const name = `Zawadi Otieno ${i}`;
      const phone = `+25471200000${i}`;
      const { createRegistrant } = dataOf(await call(`mutation ($i: CreateRegistrantInput!) { createRegistrant(input: $i) { id } }`, { i: { kind: "INDIVIDUAL", givenName: name } }, REGISTRAR));
      const { createIdentity } = dataOf(
        await call(
          `mutation ($r: ID, $d: IdentityDemographicsInput) { createIdentity(registrantId: $r, demographics: $d) { id uin } }`,
          { r: createRegistrant.id, d: { names: [{ language: "eng", value: name }], dateOfBirth: "1988-02-03", gender: "F", phone } },
          REGISTRAR,
        ),
      );
      people.push({ registrantId: createRegistrant.id, identityId: createIdentity.id, uin: createIdentity.uin, phone, name });
      rawIds.push(createIdentity.uin);
    }
    const { createVid } = dataOf(await call(`mutation ($id: ID!) { createVid(identityId: $id, type: PERPETUAL) { vid } }`, { id: people[0]!.identityId }, REGISTRAR));
    rawIds.push(createVid.vid);
  });

  afterAll(async () => {
    await stack?.stop();
    await sms?.stop();
    if (saved === undefined) delete process.env.IDENTITY_SMS_GATEWAY_URL;
    else process.env.IDENTITY_SMS_GATEWAY_URL = saved;
  });

  it("authenticates by demographics and OTP through the gateway; UIN and VID give one token per partner", async () => {
    const p = people[0]!;
    const demo = { demographics: { names: [{ language: "eng", value: p.name }], dateOfBirth: "1988-02-03" } };
    const viaUin = dataOf(await call(`mutation ($i: IdAuthInput!) { authenticate(input: $i) { authToken } }`, auth(partner, p.uin, demo), partner.caller)).authenticate.authToken;
    const viaVid = dataOf(await call(`mutation ($i: IdAuthInput!) { authenticate(input: $i) { authToken } }`, auth(partner, rawIds[3]!, demo), partner.caller)).authenticate.authToken;
    expect(viaVid).toBe(viaUin);
    const atOther = dataOf(await call(`mutation ($i: IdAuthInput!) { authenticate(input: $i) { authToken } }`, auth(other, p.uin, demo), other.caller)).authenticate.authToken;
    expect(atOther).not.toBe(viaUin);

    const n = sms.countTo(p.phone);
    const otpReq = { i: { individualId: p.uin, transactionId: "e2eotp1", requestTime: new Date().toISOString(), channels: ["PHONE"], credentials: partner.credentials } };
    dataOf(await call(`mutation ($i: OtpRequestInput!) { requestOtp(input: $i) { maskedMobile } }`, otpReq, partner.caller));
    const code = await sms.otpFor(p.phone, n);
    const otpAuth = auth(partner, p.uin, { otp: code, transactionId: "e2eotp1" });
    expect(dataOf(await call(`mutation ($i: IdAuthInput!) { authenticate(input: $i) { authToken } }`, otpAuth, partner.caller)).authenticate.authToken).toBe(viaUin);
    const reused = await call(`mutation ($i: IdAuthInput!) { authenticate(input: $i) { authToken } }`, otpAuth, partner.caller);
    expect(reused.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", mosipCode: "IDA-OTA-004" });

    // Presence check for a cash-out (service role): yes/no only.
    const presence = await call(`query ($r: ID!) { authenticatedForTransaction(registrantId: $r, transactionId: "e2eotp1") }`, { r: p.registrantId }, { role: "service" });
    expect(dataOf(presence).authenticatedForTransaction).toBe(true);
  });

  it("gives each role what it may see of a registrant's identity", async () => {
    const p = people[1]!;
    const q = `query ($id: ID!) { registrant(id: $id) { id identity { status token uin } idVerification { status method token } } }`;
    const asRegistrar = await call(q, { id: p.registrantId }, REGISTRAR);
    expect(asRegistrar.data.registrant.identity.uin).toBe(p.uin);
    const asPartner = await call(q, { id: p.registrantId }, partner.caller);
    expect(asPartner.data.registrant.identity).toBeNull();
    expect(asPartner.data.registrant.idVerification).toMatchObject({ status: "VERIFIED", method: "ENROLLMENT" });
    expect(asPartner.data.registrant.idVerification.token).toMatch(/^\d{36}$/);
    for (const caller of [{ role: "auditor" as const }, { role: "service" as const }, { role: "program_manager" as const }, { role: "finance_officer" as const }]) {
      const r = await call(q, { id: p.registrantId }, caller);
      expect(r.data?.registrant?.identity?.uin ?? null).toBeNull();
    }
    const ekyc = await call(
      `mutation ($i: EkycInput!) { ekyc(input: $i) { attributes { name value } } }`,
      { i: { ...auth(partner, p.uin, { demographics: { dateOfBirth: "1988-02-03" } }).i, consentedAttributes: ["fullName", "dateOfBirth"] } },
      partner.caller,
    );
    expect(dataOf(ekyc).ekyc.attributes).toEqual([{ name: "fullName", value: p.name }]);
    const noConsent = await call(
      `mutation ($i: EkycInput!) { ekyc(input: $i) { attributes { name value } } }`,
      { i: { ...auth(partner, p.uin, { demographics: { dateOfBirth: "1988-02-03" }, consentObtained: false }).i, consentedAttributes: ["fullName"] } },
      partner.caller,
    );
    expect(noConsent.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", mosipCode: "IDA-MLC-012" });
    expect(noConsent.data).toBeNull();
  });

  it("fails with MOSIP codes that never echo the id", async () => {
    const p = people[2]!;
    const bad = await call(`mutation ($i: IdAuthInput!) { authenticate(input: $i) { authToken } }`, auth(partner, p.uin, { demographics: { dateOfBirth: "1900-01-01" } }), partner.caller);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", mosipCode: "IDA-DEA-001" });
    dataOf(await call(`mutation ($id: ID!) { lockAuthTypes(identityId: $id, authTypes: [DEMO]) { locked } }`, { id: p.identityId }, REGISTRAR));
    const locked = await call(`mutation ($i: IdAuthInput!) { authenticate(input: $i) { authToken } }`, auth(partner, p.uin, { demographics: { dateOfBirth: "1988-02-03" } }), partner.caller);
    expect(locked.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", mosipCode: "IDA-MLC-019" });
    const corrupted = p.uin.slice(0, 9) + String((Number(p.uin[9]) + 1) % 10);
    const checksum = await call(`mutation ($i: IdAuthInput!) { authenticate(input: $i) { authToken } }`, auth(partner, corrupted, { demographics: { dateOfBirth: "1988-02-03" } }), partner.caller);
    expect(checksum.errors?.[0]?.extensions?.mosipCode).toBe("IDA-MLC-027");
  });

  it("leaks no raw UIN or VID in any response to other roles, nor in any error", () => {
    expect(seen.length).toBeGreaterThan(20);
    expect(rawIds).toHaveLength(4);
    const leaks: string[] = [];
    for (const { role, result } of seen) {
      const response = result.dump.slice(result.dump.indexOf("\n--> "));
      const errors = JSON.stringify(result.errors ?? []);
      for (const id of rawIds) {
        if (!RAW_ID_ROLES.has(role) && response.includes(id)) leaks.push(`${role}: ${result.dump}`);
        if (errors.includes(id)) leaks.push(`error to ${role}: ${errors}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
