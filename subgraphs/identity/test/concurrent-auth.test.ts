/**
 * Concurrent authentications share statements (services/coalesce.ts); what must not change: each
 * request gets its own answer, every attempt is recorded before it is answered, an OTP is used once.
 */
import { dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { createIdentitySubgraph } from "../src";
import { AuthTransaction } from "../src/entities/auth.entities";
import { AUTH, authInput, clock, createPartner, createPerson, mosipCodesOf, startSmsGateway, type PartnerHandle, type Person, type SmsGatewayHandle } from "./helpers";

describe("concurrent authentications", () => {
  let sms: SmsGatewayHandle;
  let sg: TestSubgraph;
  let bank: PartnerHandle;
  let people: Person[];

  beforeAll(async () => {
    sms = await startSmsGateway();
    sg = await startTestSubgraph(createIdentitySubgraph({ now: clock.now, config: { smsGatewayUrl: sms.url, otpFloodLimit: 100 } }));
    bank = await createPartner(sg, "conc-bank");
    people = [await createPerson(sg), await createPerson(sg), await createPerson(sg)];
  });
  afterAll(async () => {
    await sg.stop();
    await sms.stop();
  });

  const recorded = (transactionIds: string[]) => sg.orm.em.fork().find(AuthTransaction, { transactionId: { $in: transactionIds } });

  it("answers each request on its own identity and records every attempt before answering", async () => {
    // 24 requests at once: three people, right and wrong birth dates interleaved.
    const requests = Array.from({ length: 24 }, (_, n) => {
      const p = people[n % 3]!;
      const right = n % 4 !== 1;
      return { n, p, right, input: authInput(bank, p.uin, { transactionId: `conc-demo-${n}`, demographics: { dateOfBirth: right ? p.demographics.dateOfBirth : "1901-01-01" } }) };
    });
    sg.sql.length = 0;
    const answers = await Promise.all(requests.map((r) => sg.request(AUTH, { i: r.input }, bank.caller)));
    answers.forEach((a, n) => {
      if (requests[n]!.right) expect(a.data?.authenticate).toMatchObject({ authStatus: true, transactionId: `conc-demo-${n}` });
      else expect(mosipCodesOf(a)).toEqual(["IDA-DEA-001"]);
    });
    // Tokens: one per person (PARTNER policy), never another person's.
    const tokens = new Map<string, Set<string>>();
    answers.forEach((a, n) => a.data && (tokens.get(requests[n]!.p.id) ?? tokens.set(requests[n]!.p.id, new Set()).get(requests[n]!.p.id)!).add(a.data.authenticate.authToken));
    expect([...tokens.values()].map((s) => s.size)).toEqual([1, 1, 1]);
    expect(new Set([...tokens.values()].map((s) => [...s][0])).size).toBe(3);
    // Every attempt is in auth_transaction, with its own outcome and identity.
    const rows = await recorded(requests.map((r) => r.input.transactionId as string));
    expect(rows).toHaveLength(24);
    for (const r of requests) {
      const row = rows.find((x) => x.transactionId === r.input.transactionId)!;
      expect({ n: r.n, success: row.success, identity: row.identityId, code: row.errorCode }).toEqual({ n: r.n, success: r.right, identity: r.p.id, code: r.right ? null : "IDA-DEA-001" });
    }
    // Never more statements than requests (fewer when requests overlapped).
    expect(sg.sql.filter((s) => /insert into [`"]?(identity[`"]?\.)?[`"]?auth_transaction/.test(s)).length).toBeLessThanOrEqual(24);
  });

  it("lets one of many concurrent uses of an OTP through, and records them all", async () => {
    const p = people[0]!;
    const n = sms.countTo(p.phone);
    dataOf(
      await sg.request(
        `mutation ($i: OtpRequestInput!) { requestOtp(input: $i) { maskedMobile } }`,
        { i: { individualId: p.uin, transactionId: "conc-otp", requestTime: clock.now().toISOString(), channels: ["PHONE"], credentials: bank.credentials } },
        bank.caller,
      ),
    );
    const code = await sms.otpFor(p.phone, n);
    const answers = await Promise.all(Array.from({ length: 8 }, () => sg.request(AUTH, { i: authInput(bank, p.uin, { otp: code, transactionId: "conc-otp" }) }, bank.caller)));
    expect(answers.filter((a) => a.data?.authenticate?.authStatus === true)).toHaveLength(1);
    expect(answers.flatMap(mosipCodesOf).sort()).toEqual(Array(7).fill("IDA-OTA-004"));
    const rows = (await recorded(["conc-otp"])).filter((r) => r.requestType === "OTP_AUTH");
    expect(rows.map((r) => r.success).sort()).toEqual([false, false, false, false, false, false, false, true]);
  });
});
