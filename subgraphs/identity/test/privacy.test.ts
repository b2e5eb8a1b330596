/**
 * Privacy invariants at the subgraph boundary: the raw UIN/VID (and OTP codes) appear in no response
 * for a role not allowed them, in no error message for anyone, in no log line and in no SQL statement
 * (they are stored only hashed and sealed).
 */
import { randomBytes } from "node:crypto";
import { createTestDatabase, graphqlRequest, startSubgraph, type Caller, type GraphQLResult, type RunningSubgraph, type TestDatabase } from "@g2p/kit";
import pino from "pino";
import { createIdentitySubgraph } from "../src";
import { AUTH, authInput, clock, createPartner, createPerson, REGISTRAR, startSmsGateway, type SmsGatewayHandle } from "./helpers";

describe("privacy invariants", () => {
  let running: RunningSubgraph;
  let db: TestDatabase;
  let sms: SmsGatewayHandle;
  const logs: string[] = [];
  const sql: string[] = [];
  const seen: { role: string; r: GraphQLResult }[] = [];

  beforeAll(async () => {
    sms = await startSmsGateway();
    db = await createTestDatabase();
    running = await startSubgraph(createIdentitySubgraph({ now: clock.now, config: { smsGatewayUrl: sms.url } }), {
      env: { ...process.env, PORT: "0", DATABASE_URL: db.databaseUrl ?? "", JOBS_QUEUE_PREFIX: `test-${randomBytes(4).toString("hex")}`, LOG_LEVEL: "trace" },
      sqlitePath: ":memory:",
      onQuery: (s) => sql.push(s),
      logger: pino({ level: "trace" }, { write: (line: string) => void logs.push(line) }),
    });
  });
  afterAll(async () => {
    await running.stop();
    await db.drop();
    await sms.stop();
  });

  it("never lets a raw id out except to registrar/admin, and never into logs, SQL or errors", async () => {
    const sg = { request: async (q: string, v: Record<string, unknown> = {}, c?: Caller) => {
      const r = await graphqlRequest(`${running.url}`, q, v, c);
      seen.push({ role: c?.role ?? "anonymous", r });
      return r;
    } } as any;
    const bank = await createPartner(sg, "priv-bank");
    const person = await createPerson(sg, "5d0a1f57-5a43-4d1c-8d2e-7a1b2f3c4d5e");
    const vid = (await sg.request(`mutation ($id: ID!) { createVid(identityId: $id, type: PERPETUAL) { vid } }`, { id: person.id }, REGISTRAR)).data.createVid.vid as string;
    const secrets = [person.uin, vid];
    const d = { demographics: { dateOfBirth: "1990-04-12" } };
    // Every kind of call, by every role, successes and failures.
    await sg.request(AUTH, { i: authInput(bank, person.uin, d) }, bank.caller);
    await sg.request(AUTH, { i: authInput(bank, vid, d) }, bank.caller);
    await sg.request(AUTH, { i: authInput(bank, person.uin, { demographics: { dateOfBirth: "2001-01-01" } }) }, bank.caller);
    await sg.request(AUTH, { i: authInput(bank, vid, { consentObtained: false, ...d }) }, bank.caller);
    await sg.request(AUTH, { i: authInput(bank, person.uin, { ...d, requestTime: "2000-01-01T00:00:00Z" }) }, bank.caller);
    const n = sms.countTo(person.phone);
    await sg.request(`mutation ($i: OtpRequestInput!) { requestOtp(input: $i) { maskedMobile } }`, { i: { individualId: vid, transactionId: "priv1", requestTime: clock.now().toISOString(), channels: ["PHONE"], credentials: bank.credentials } }, bank.caller);
    const code = await sms.otpFor(person.phone, n);
    secrets.push(code);
    await sg.request(AUTH, { i: authInput(bank, vid, { otp: "000000", transactionId: "priv1" }) }, bank.caller);
    await sg.request(AUTH, { i: authInput(bank, vid, { otp: code, transactionId: "priv1" }) }, bank.caller);
    const everything = `query ($id: ID!) { identity(id: $id) { id token uin demographics { phone } vids { vid status } authHistory { nodes { token transactionId errorCode } } } }`;
    for (const role of ["admin", "registrar", "auditor", "service", "partner", "program_manager", "finance_officer", "merchant", "approver"] as const) {
      await sg.request(everything, { id: person.id }, { role, partnerId: role === "partner" ? "priv-bank" : undefined });
      await sg.request(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on Registrant { identity { uin } idVerification { token } } } }`, { r: [{ __typename: "Registrant", id: "5d0a1f57-5a43-4d1c-8d2e-7a1b2f3c4d5e" }] }, { role, partnerId: role === "partner" ? "priv-bank" : undefined });
    }
    await sg.request(`{ myAuthTransactions { nodes { token transactionId } } }`, {}, bank.caller);

    const leaks: string[] = [];
    for (const { role, r } of seen) {
      const response = JSON.stringify({ data: r.data, errors: r.errors });
      for (const s of secrets) {
        if (!["admin", "registrar"].includes(role) && response.includes(s)) leaks.push(`response to ${role} contains ${s}: ${response}`);
        if (JSON.stringify(r.errors ?? []).includes(s)) leaks.push(`error to ${role} contains ${s}`);
      }
    }
    // The admin did see the raw UIN (so the scan can find one when it is there).
    expect(seen.some(({ role, r }) => role === "admin" && JSON.stringify(r.data).includes(person.uin))).toBe(true);
    for (const s of secrets) {
      for (const line of logs) if (line.includes(s)) leaks.push(`log line contains ${s}: ${line}`);
      for (const q of sql) if (q.includes(s)) leaks.push(`SQL contains ${s}: ${q.slice(0, 300)}`);
    }
    expect(sql.length).toBeGreaterThan(20);
    expect(logs.length).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  });
});
