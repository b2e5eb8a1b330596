import { AuditEntry, codesOf, dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { compactVerify, createLocalJWKSet, jwtVerify } from "jose";
import { createIdentitySubgraph } from "../src";
import { Otp, OutboxMessage } from "../src/entities/auth.entities";
import { ADMIN, AUTH, authInput, clock, createPartner, createPerson, mosipCodesOf, REGISTRAR, startSmsGateway, type PartnerHandle, type Person, type SmsGatewayHandle } from "./helpers";

const OTP_REQUEST = `mutation ($i: OtpRequestInput!) { requestOtp(input: $i) { maskedMobile maskedEmail } }`;
const EKYC = `mutation ($i: EkycInput!) { ekyc(input: $i) { kycStatus authToken attributes { name language value } } }`;

describe("authentication", () => {
  let sms: SmsGatewayHandle;
  let sg: TestSubgraph;
  let bank: PartnerHandle;
  let shop: PartnerHandle;
  let person: Person;

  beforeAll(async () => {
    sms = await startSmsGateway();
    sg = await startTestSubgraph(createIdentitySubgraph({ now: clock.now, config: { smsGatewayUrl: sms.url, otpTtlSeconds: 120, otpFreezeSeconds: 600 } }));
    bank = await createPartner(sg, "bank-a", { allowedKycAttributes: ["fullName", "dateOfBirth", "gender"] });
    shop = await createPartner(sg, "shop-b");
    person = await createPerson(sg);
  });
  afterAll(async () => {
    await sg.stop();
    await sms.stop();
  });
  afterEach(() => {
    clock.offsetMs = 0;
  });

  const demo = (p: Person) => ({ names: [{ language: "eng", value: p.demographics.names[0]!.value.toUpperCase() }], dateOfBirth: "1990-04-12" });

  it("authenticates demographically and returns the partner's token, recorded in the history", async () => {
    const r = dataOf(await sg.request(AUTH, { i: authInput(bank, person.uin, { demographics: demo(person) }) }, bank.caller));
    expect(r.authenticate).toMatchObject({ authStatus: true });
    expect(r.authenticate.authToken).toMatch(/^\d{36}$/);
    const wrong = await sg.request(AUTH, { i: authInput(bank, person.uin, { demographics: { dateOfBirth: "1991-04-12" } }) }, bank.caller);
    expect(wrong.data).toBeNull();
    expect(wrong.errors![0]!.extensions).toMatchObject({ code: "FORBIDDEN", mosipCode: "IDA-DEA-001" });
    const none = await sg.request(AUTH, { i: authInput(bank, person.uin) }, bank.caller);
    expect(mosipCodesOf(none)).toEqual(["IDA-MLC-008"]);
  });

  it("validates the id before any lookup, and never echoes it", async () => {
    const cases: [string, string][] = [
      ["5076291708", "IDA-MLC-027"],
      ["507529170", "IDA-MLC-009"],
      ["9830872690593683", "IDA-MLC-029"],
      ["5075291708", "IDA-MLC-002"],
      ["9830872690593682", "IDA-MLC-004"],
    ];
    for (const [id, code] of cases) {
      sg.sql.length = 0;
      const r = await sg.request(AUTH, { i: authInput(bank, id, { demographics: demo(person) }) }, bank.caller);
      expect({ id, codes: mosipCodesOf(r) }).toEqual({ id, codes: [code] });
      expect(JSON.stringify(r.errors)).not.toContain(id);
      if (code.endsWith("27") || code.endsWith("29") || code.endsWith("09")) {
        expect(sg.sql.filter((s) => /from [`"]?(identity|vid)[`"]?/.test(s))).toHaveLength(0);
      }
    }
  });

  it("never accepts a partner-specific token as an id", async () => {
    const { authToken } = dataOf(await sg.request(AUTH, { i: authInput(bank, person.uin, { demographics: demo(person) }) }, bank.caller)).authenticate;
    const r = await sg.request(AUTH, { i: authInput(bank, authToken, { demographics: demo(person) }) }, bank.caller);
    expect(mosipCodesOf(r)).toEqual(["IDA-MLC-009"]);
    for (const t of ["UIN", "VID"]) {
      expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(bank, authToken, { individualIdType: t, demographics: demo(person) }) }, bank.caller))).toEqual([
        t === "UIN" ? "IDA-MLC-026" : "IDA-MLC-028",
      ]);
    }
  });

  it("gives the same token for UIN and VID, different tokens to different partners", async () => {
    const vid = dataOf(await sg.request(`mutation ($id: ID!) { createVid(identityId: $id, type: PERPETUAL) { vid } }`, { id: person.id }, REGISTRAR)).createVid.vid;
    const tokenOf = async (p: PartnerHandle, id: string) =>
      dataOf(await sg.request(AUTH, { i: authInput(p, id, { demographics: demo(person) }) }, p.caller)).authenticate.authToken as string;
    const bankUin = await tokenOf(bank, person.uin);
    expect(await tokenOf(bank, vid)).toBe(bankUin);
    const shopUin = await tokenOf(shop, person.uin);
    expect(shopUin).not.toBe(bankUin);
    expect(await tokenOf(shop, vid)).toBe(shopUin);
  });

  it("RANDOM tokens differ every time; POLICY tokens are shared by the partners of a policy", async () => {
    const rnd = await createPartner(sg, "rnd-c", { authTokenType: "RANDOM" });
    const a = dataOf(await sg.request(AUTH, { i: authInput(rnd, person.uin, { demographics: demo(person) }) }, rnd.caller)).authenticate.authToken;
    const b = dataOf(await sg.request(AUTH, { i: authInput(rnd, person.uin, { demographics: demo(person) }) }, rnd.caller)).authenticate.authToken;
    expect(a).toMatch(/^\d{36}$/);
    expect(a).not.toBe(b);
  });

  it("refuses without consent, and gives no data", async () => {
    const r = await sg.request(EKYC, { i: { ...authInput(bank, person.uin, { demographics: demo(person), consentObtained: false }), consentedAttributes: ["fullName"] } }, bank.caller);
    expect(r.data).toBeNull();
    expect(r.errors![0]!.extensions).toMatchObject({ code: "FORBIDDEN", mosipCode: "IDA-MLC-012" });
    const response = JSON.stringify({ data: r.data, errors: r.errors });
    expect(response).not.toContain("Amina");
    expect(response).not.toContain("1990-04-12");
  });

  it("eKYC returns exactly the policy's attributes ∩ the consented ones", async () => {
    const r = dataOf(await sg.request(EKYC, { i: { ...authInput(bank, person.uin, { demographics: demo(person) }), consentedAttributes: ["fullName", "phone", "email", "gender"] } }, bank.caller)).ekyc;
    // policy: fullName, dateOfBirth, gender; consented: fullName, phone, email, gender
    expect([...new Set(r.attributes.map((a: any) => a.name))].sort()).toEqual(["fullName", "gender"]);
    expect(r.attributes.filter((a: any) => a.name === "fullName")).toHaveLength(2);
    const noKyc = await createPartner(sg, "nokyc-d", { allowedAuthTypes: [{ authType: "DEMO" }] });
    const refused = await sg.request(EKYC, { i: { ...authInput(noKyc, person.uin, { demographics: demo(person) }), consentedAttributes: ["fullName"] } }, noKyc.caller);
    expect(mosipCodesOf(refused)).toEqual(["IDA-MPA-013"]);
    expect(JSON.stringify({ data: refused.data, errors: refused.errors })).not.toContain("Amina");
  });

  it("enforces policy: auth type not allowed, mandatory factor missing", async () => {
    const demoOnly = await createPartner(sg, "demo-only", { allowedAuthTypes: [{ authType: "DEMO" }] });
    expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(demoOnly, person.uin, { otp: "123456" }) }, demoOnly.caller))).toEqual(["IDA-MPA-005"]);
    expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(demoOnly, person.uin, { biometrics: [{ modality: "FACE", template: [1, 0] }] }) }, demoOnly.caller))).toEqual(["IDA-MPA-006"]);
    const strict = await createPartner(sg, "strict-e", { allowedAuthTypes: [{ authType: "DEMO" }, { authType: "OTP", mandatory: true }] });
    expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(strict, person.uin, { demographics: demo(person) }) }, strict.caller))).toEqual(["IDA-MPA-015"]);
  });

  it("checks partner, licence key and API key, and the request time window", async () => {
    const d = { demographics: demo(person) };
    const badKey = await sg.request(AUTH, { i: authInput(bank, person.uin, { ...d, credentials: { ...bank.credentials, licenseKey: "nope" } }) }, bank.caller);
    expect(mosipCodesOf(badKey)).toEqual(["IDA-MPA-007"]);
    const badApi = await sg.request(AUTH, { i: authInput(bank, person.uin, { ...d, credentials: { ...bank.credentials, apiKey: "nope" } }) }, bank.caller);
    expect(mosipCodesOf(badApi)).toEqual(["IDA-MPA-010"]);
    // Another partner's keys under this partner's token.
    expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(shop, person.uin, d) }, bank.caller))).toEqual(["IDA-MPA-007"]);
    expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(bank, person.uin, d) }, { role: "partner", partnerId: "nobody" }))).toEqual(["IDA-MPA-009"]);
    expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(bank, person.uin, d) }, { role: "registrar" }))).toEqual(["IDA-MPA-009"]);
    expect(codesOf(await sg.request(AUTH, { i: authInput(bank, person.uin, d) }))).toEqual(["UNAUTHENTICATED"]);
    const stale = await sg.request(AUTH, { i: authInput(bank, person.uin, { ...d, requestTime: new Date(Date.now() - 45_000).toISOString() }) }, bank.caller);
    expect(stale.errors![0]!.extensions).toMatchObject({ code: "BAD_USER_INPUT", mosipCode: "IDA-MLC-001" });

    const blocked = await createPartner(sg, "blocked-f");
    const setStatus = `mutation ($id: ID!, $c: AuthPartnerCredential!, $s: AuthPartnerStatus!) { setAuthPartnerStatus(id: $id, credential: $c, status: $s) { id } }`;
    dataOf(await sg.request(setStatus, { id: blocked.id, c: "LICENSE_KEY", s: "BLOCKED" }, ADMIN));
    expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(blocked, person.uin, d) }, blocked.caller))).toEqual(["IDA-MPA-017"]);
    dataOf(await sg.request(setStatus, { id: blocked.id, c: "PARTNER", s: "INACTIVE" }, ADMIN));
    expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(blocked, person.uin, d) }, blocked.caller))).toEqual(["IDA-MPA-012"]);
    const trail = await sg.orm.em.fork().find(AuditEntry, { entityType: "AuthPartner", entityId: blocked.id, action: "auth_partner.status" });
    expect(trail).toHaveLength(2);
  });

  it("refuses a locked auth type even with valid credentials; other types still work; timed unlock re-locks", async () => {
    const p = await createPerson(sg);
    const lock = `mutation ($id: ID!, $t: [AuthType!]!) { lockAuthTypes(identityId: $id, authTypes: $t) { authType locked } }`;
    expect(dataOf(await sg.request(lock, { id: p.id, t: ["DEMO"] }, REGISTRAR)).lockAuthTypes).toEqual([{ authType: "DEMO", locked: true }]);
    const locked = await sg.request(AUTH, { i: authInput(bank, p.uin, { demographics: demo(p) }) }, bank.caller);
    expect(locked.errors![0]!.extensions).toMatchObject({ code: "FORBIDDEN", mosipCode: "IDA-MLC-019" });
    // OTP is not locked: it works.
    const n = sms.countTo(p.phone);
    dataOf(await sg.request(OTP_REQUEST, { i: { individualId: p.uin, transactionId: "lockotp1", requestTime: clock.now().toISOString(), channels: ["PHONE"], credentials: bank.credentials } }, bank.caller));
    const code = await sms.otpFor(p.phone, n);
    dataOf(await sg.request(AUTH, { i: authInput(bank, p.uin, { otp: code, transactionId: "lockotp1" }) }, bank.caller));
    // Unlock DEMO for 60 s: works now, locked again after.
    const unlock = `mutation ($id: ID!, $t: [AuthType!]!, $s: Int) { unlockAuthTypes(identityId: $id, authTypes: $t, unlockForSeconds: $s) { authType locked unlockUntil } }`;
    const u = dataOf(await sg.request(unlock, { id: p.id, t: ["DEMO"], s: 60 }, REGISTRAR)).unlockAuthTypes[0];
    expect(u.locked).toBe(false);
    dataOf(await sg.request(AUTH, { i: authInput(bank, p.uin, { demographics: demo(p) }) }, bank.caller));
    clock.offsetMs = 61_000;
    expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(bank, p.uin, { demographics: demo(p) }) }, bank.caller))).toEqual(["IDA-MLC-019"]);
    const state = dataOf(await sg.request(`query ($id: ID!) { identity(id: $id) { authLocks { authType locked } } }`, { id: p.id }, { role: "auditor" })).identity.authLocks;
    expect(state).toEqual([{ authType: "DEMO", locked: true }]);
    clock.offsetMs = 0;
    dataOf(await sg.request(unlock, { id: p.id, t: ["DEMO"], s: null }, REGISTRAR));
    dataOf(await sg.request(AUTH, { i: authInput(bank, p.uin, { demographics: demo(p) }) }, bank.caller));
    const trail = await sg.orm.em.fork().find(AuditEntry, { entityType: "Identity", entityId: p.id, action: { $like: "auth_lock.%" } });
    expect(trail.map((t) => t.action)).toEqual(["auth_lock.lock", "auth_lock.unlock", "auth_lock.unlock"]);
    expect(codesOf(await sg.request(lock, { id: p.id, t: ["OTP"] }, bank.caller))).toEqual(["FORBIDDEN"]);
  });

  describe("OTP", () => {
    const otpReq = (p: Person, partner: PartnerHandle, txn: string) => ({
      i: { individualId: p.uin, transactionId: txn, requestTime: clock.now().toISOString(), channels: ["PHONE", "EMAIL"], credentials: partner.credentials },
    });

    it("sends the code through the outbox to the SMS gateway; single use; bound to partner and transaction", async () => {
      const p = await createPerson(sg);
      const n = sms.countTo(p.phone);
      const r = dataOf(await sg.request(OTP_REQUEST, otpReq(p, bank, "otp-1"), bank.caller)).requestOtp;
      expect(r.maskedMobile).toMatch(/^X+\d{4}$/);
      expect(r.maskedMobile.slice(-4)).toBe(p.phone.slice(-4));
      expect(r.maskedEmail).toMatch(/^am.*X.*@example\.org$/);
      const code = await sms.otpFor(p.phone, n);
      // The code is not in the database, nor in any response.
      const otpRows = await sg.orm.em.fork().find(Otp, {});
      expect(JSON.stringify(otpRows)).not.toContain(code);
      expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(shop, p.uin, { otp: code, transactionId: "otp-1" }) }, shop.caller))).toEqual(["IDA-OTA-011"]);
      expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(bank, p.uin, { otp: code, transactionId: "otp-2" }) }, bank.caller))).toEqual(["IDA-OTA-005"]);
      const ok = dataOf(await sg.request(AUTH, { i: authInput(bank, p.uin, { otp: code, transactionId: "otp-1" }) }, bank.caller));
      expect(ok.authenticate.authStatus).toBe(true);
      const again = await sg.request(AUTH, { i: authInput(bank, p.uin, { otp: code, transactionId: "otp-1" }) }, bank.caller);
      expect(again.errors![0]!.extensions).toMatchObject({ code: "FORBIDDEN", mosipCode: "IDA-OTA-004" });
      // Delivered outbox rows keep no payload.
      let outbox: OutboxMessage[] = [];
      for (let i = 0; i < 100; i++) {
        outbox = await sg.orm.em.fork().find(OutboxMessage, {});
        if (outbox.every((m) => m.status === "SENT")) break;
        await new Promise((r2) => setTimeout(r2, 20));
      }
      expect(outbox.length).toBeGreaterThan(0);
      expect(outbox.every((m) => m.status === "SENT" && m.payloadSealed == null)).toBe(true);
    });

    it("expires, and freezes after 3 wrong codes", async () => {
      const p = await createPerson(sg);
      expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(bank, p.uin, { otp: "000000", transactionId: "x" }) }, bank.caller))).toEqual(["IDA-OTA-012"]);
      let n = sms.countTo(p.phone);
      dataOf(await sg.request(OTP_REQUEST, otpReq(p, bank, "exp-1"), bank.caller));
      const code = await sms.otpFor(p.phone, n);
      clock.offsetMs = 121_000;
      expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(bank, p.uin, { otp: code, transactionId: "exp-1" }) }, bank.caller))).toEqual(["IDA-OTA-003"]);
      clock.offsetMs = 0;
      n = sms.countTo(p.phone);
      dataOf(await sg.request(OTP_REQUEST, otpReq(p, bank, "frz-1"), bank.caller));
      const good = await sms.otpFor(p.phone, n);
      const wrong = good === "111111" ? "222222" : "111111";
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push(...mosipCodesOf(await sg.request(AUTH, { i: authInput(bank, p.uin, { otp: wrong, transactionId: "frz-1" }) }, bank.caller)));
      expect(codes).toEqual(["IDA-OTA-004", "IDA-OTA-004", "IDA-OTA-007"]);
      // Frozen: even the right code fails, and no new OTP can be generated.
      expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(bank, p.uin, { otp: good, transactionId: "frz-1" }) }, bank.caller))).toEqual(["IDA-OTA-007"]);
      expect(mosipCodesOf(await sg.request(OTP_REQUEST, otpReq(p, bank, "frz-2"), bank.caller))).toEqual(["IDA-OTA-006"]);
      const frozen = await sg.orm.em.fork().find(AuditEntry, { entityId: p.id, action: "identity.otp_frozen" });
      expect(frozen).toHaveLength(1);
      // After the freeze period a new OTP works.
      clock.offsetMs = 601_000;
      n = sms.countTo(p.phone);
      dataOf(await sg.request(OTP_REQUEST, otpReq(p, bank, "frz-3"), bank.caller));
      const fresh = await sms.otpFor(p.phone, n);
      dataOf(await sg.request(AUTH, { i: authInput(bank, p.uin, { otp: fresh, transactionId: "frz-3" }) }, bank.caller));
    });

    it("retries delivery when the SMS gateway fails", async () => {
      const p = await createPerson(sg);
      sms.setFaults({ failNext: 2 });
      const before = sms.requests;
      const n = sms.countTo(p.phone);
      dataOf(await sg.request(OTP_REQUEST, otpReq(p, bank, "retry-1"), bank.caller));
      const code = await sms.otpFor(p.phone, n, 5000);
      expect(code).toMatch(/^\d{6}$/);
      expect(sms.requests - before).toBeGreaterThanOrEqual(3);
      sms.setFaults({});
    });

    it("limits OTP requests per minute (flooding)", async () => {
      const p = await createPerson(sg);
      const codes: string[] = [];
      for (let i = 0; i < 6; i++) codes.push(...mosipCodesOf(await sg.request(OTP_REQUEST, otpReq(p, bank, `fl-${i}`), bank.caller)));
      expect(codes).toEqual(["IDA-OTA-001"]);
    });
  });

  describe("VIDs in authentication", () => {
    it("one-time VID works once; revoked and expired VIDs fail; VIDs of a deactivated UIN fail", async () => {
      const p = await createPerson(sg);
      const mk = async (t: string) => dataOf(await sg.request(`mutation ($id: ID!, $t: VidType!) { createVid(identityId: $id, type: $t) { id vid } }`, { id: p.id, t }, REGISTRAR)).createVid;
      const once = await mk("ONE_TIME_USE");
      dataOf(await sg.request(AUTH, { i: authInput(bank, once.vid, { demographics: demo(p) }) }, bank.caller));
      expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(bank, once.vid, { demographics: demo(p) }) }, bank.caller))).toEqual(["IDA-MLC-023"]);
      const temp = await mk("TEMPORARY");
      clock.offsetMs = 31 * 60_000;
      expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(bank, temp.vid, { demographics: demo(p) }) }, bank.caller))).toEqual(["IDA-MLC-005"]);
      clock.offsetMs = 0;
      const revoked = await mk("TEMPORARY");
      dataOf(await sg.request(`mutation ($id: ID!) { revokeVid(id: $id) { id } }`, { id: revoked.id }, REGISTRAR));
      expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(bank, revoked.vid, { demographics: demo(p) }) }, bank.caller))).toEqual(["IDA-MLC-023"]);
      const perpetual = await mk("PERPETUAL");
      dataOf(await sg.request(`mutation ($id: ID!) { setIdentityStatus(id: $id, status: BLOCKED) { id } }`, { id: p.id }, REGISTRAR));
      expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(bank, p.uin, { demographics: demo(p) }) }, bank.caller))).toEqual(["IDA-MLC-022"]);
      dataOf(await sg.request(`mutation ($id: ID!) { setIdentityStatus(id: $id, status: DEACTIVATED) { id } }`, { id: p.id }, REGISTRAR));
      expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(bank, p.uin, { demographics: demo(p) }) }, bank.caller))).toEqual(["IDA-MLC-003"]);
      expect(mosipCodesOf(await sg.request(AUTH, { i: authInput(bank, perpetual.vid, { demographics: demo(p) }) }, bank.caller))).toEqual(["IDA-MLC-010"]);
    });
  });

  it("kyc-auth then kyc-exchange: signed claims, sub = partner token, single-use kycToken", async () => {
    const auth = dataOf(await sg.request(`mutation ($i: IdAuthInput!) { kycAuth(input: $i) { kycStatus kycToken authToken } }`, { i: authInput(bank, person.uin, { demographics: demo(person), transactionId: "esig-1" }) }, bank.caller)).kycAuth;
    const X = `mutation ($i: KycExchangeInput!) { kycExchange(input: $i) { jwt releasedAttributes } }`;
    const input = { kycToken: auth.kycToken, transactionId: "esig-1", individualId: person.uin, acceptedClaims: ["name", "birthdate", "email"], credentials: bank.credentials };
    expect(mosipCodesOf(await sg.request(X, { i: { ...input, credentials: shop.credentials } }, shop.caller))).toEqual(["IDA-KYE-004"]);
    expect(mosipCodesOf(await sg.request(X, { i: { ...input, transactionId: "esig-2" } }, bank.caller))).toEqual(["IDA-KYE-005"]);
    const other = await createPerson(sg);
    expect(mosipCodesOf(await sg.request(X, { i: { ...input, individualId: other.uin } }, bank.caller))).toEqual(["IDA-KYE-007"]);
    const { kycExchange } = dataOf(await sg.request(X, { i: input }, bank.caller));
    expect(kycExchange.releasedAttributes.sort()).toEqual(["dateOfBirth", "fullName"]);
    const jwks = JSON.parse(dataOf(await sg.request(`{ identitySigningKeys }`)).identitySigningKeys);
    const { payload } = await jwtVerify(kycExchange.jwt, createLocalJWKSet(jwks), { issuer: "g2p-identity", audience: "bank-a" });
    expect(payload.sub).toBe(auth.authToken);
    expect(payload).toMatchObject({ birthdate: "1990-04-12", name: person.demographics.names[0]!.value });
    expect(payload.email).toBeUndefined();
    expect(payload.phone_number).toBeUndefined();
    // A tampered JWT does not verify.
    const [h, , s] = kycExchange.jwt.split(".");
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, email: "x@y" })).toString("base64url")}.${s}`;
    await expect(compactVerify(forged, createLocalJWKSet(jwks))).rejects.toThrow();
    expect(mosipCodesOf(await sg.request(X, { i: input }, bank.caller))).toEqual(["IDA-KYE-003"]);
    expect(mosipCodesOf(await sg.request(X, { i: { ...input, kycToken: "unknown" } }, bank.caller))).toEqual(["IDA-KYE-001"]);
    // Expiry.
    const auth2 = dataOf(await sg.request(`mutation ($i: IdAuthInput!) { kycAuth(input: $i) { kycToken } }`, { i: authInput(bank, person.uin, { demographics: demo(person), transactionId: "esig-3" }) }, bank.caller)).kycAuth;
    clock.offsetMs = 121_000;
    expect(mosipCodesOf(await sg.request(X, { i: { ...input, kycToken: auth2.kycToken, transactionId: "esig-3" } }, bank.caller))).toEqual(["IDA-KYE-002"]);
  });

  it("shows a partner only its own transactions; staff see the whole history of a person", async () => {
    const p = await createPerson(sg);
    dataOf(await sg.request(AUTH, { i: authInput(bank, p.uin, { demographics: demo(p), transactionId: "hist-bank" }) }, bank.caller));
    dataOf(await sg.request(AUTH, { i: authInput(shop, p.uin, { demographics: demo(p), transactionId: "hist-shop" }) }, shop.caller));
    await sg.request(AUTH, { i: authInput(shop, p.uin, { demographics: { dateOfBirth: "2000-01-01" }, transactionId: "hist-shop2" }) }, shop.caller);
    const mine = `{ myAuthTransactions(first: 500) { nodes { partnerId transactionId success errorCode token requestType idType } } }`;
    const shopView = dataOf(await sg.request(mine, {}, shop.caller)).myAuthTransactions.nodes;
    expect(shopView.every((t: any) => t.partnerId === "shop-b")).toBe(true);
    expect(shopView.map((t: any) => t.transactionId)).toEqual(expect.arrayContaining(["hist-shop", "hist-shop2"]));
    expect(shopView.find((t: any) => t.transactionId === "hist-shop2")).toMatchObject({ success: false, errorCode: "IDA-DEA-001", token: null });
    const bankView = dataOf(await sg.request(mine, {}, bank.caller)).myAuthTransactions.nodes;
    expect(bankView.some((t: any) => t.transactionId.startsWith("hist-shop"))).toBe(false);
    const shopTokens = new Set(shopView.map((t: any) => t.token).filter(Boolean));
    expect(bankView.some((t: any) => shopTokens.has(t.token))).toBe(false);
    const staff = dataOf(await sg.request(`query ($id: ID!) { identity(id: $id) { authHistory { totalCount nodes { partnerId transactionId success } } } }`, { id: p.id }, { role: "auditor" })).identity.authHistory;
    expect(staff.totalCount).toBe(3);
    expect(codesOf(await sg.request(mine, {}, { role: "auditor" }))).toEqual(["FORBIDDEN"]);
  });
});
