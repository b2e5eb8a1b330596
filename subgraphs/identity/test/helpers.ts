import { dataOf, type TestSubgraph } from "@g2p/kit";

/** The simulated SMS gateway lives in test/simulators (shared with e2e); typed here to stay inside this package. */
export interface SmsGatewayHandle {
  url: string;
  messages: { messageId: string; to: string; text: string }[];
  requests: number;
  setFaults(f: { latencyMs?: number; failNext?: number; failRate?: number }): void;
  countTo(to: string): number;
  otpFor(to: string, n: number, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}
export const startSmsGateway: (f?: { latencyMs?: number; failNext?: number }) => Promise<SmsGatewayHandle> =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("../../../test/simulators/sms-gateway").startSmsGateway;

export const REGISTRAR = { role: "registrar" as const, sub: "registrar-1" };
export const ADMIN = { role: "admin" as const, sub: "admin-1" };

/** A movable clock for the subgraph under test. */
export const clock = {
  offsetMs: 0,
  now: () => new Date(Date.now() + clock.offsetMs),
};

export interface PartnerHandle {
  id: string;
  policyId: string;
  credentials: { apiKey: string; licenseKey: string };
  caller: { role: "partner"; sub: string; partnerId: string };
}

export async function createPartner(
  sg: TestSubgraph,
  id: string,
  policy: { authTokenType?: string; allowedAuthTypes?: { authType: string; mandatory?: boolean }[]; allowedKycAttributes?: string[] } = {},
): Promise<PartnerHandle> {
  const { createAuthPolicy } = dataOf(
    await sg.request(
      `mutation ($i: CreateAuthPolicyInput!) { createAuthPolicy(input: $i) { id } }`,
      {
        i: {
          name: `policy of ${id}`,
          authTokenType: policy.authTokenType ?? "PARTNER",
          allowedAuthTypes: (policy.allowedAuthTypes ?? [{ authType: "DEMO" }, { authType: "OTP" }, { authType: "BIO_FINGER" }, { authType: "BIO_FACE" }, { authType: "EKYC" }, { authType: "KYC_AUTH" }, { authType: "KYC_EXCHANGE" }]).map((a) => ({ mandatory: false, ...a })),
          allowedKycAttributes: policy.allowedKycAttributes ?? ["fullName", "dateOfBirth", "gender"],
        },
      },
      ADMIN,
    ),
  );
  const { createAuthPartner } = dataOf(
    await sg.request(`mutation ($i: CreateAuthPartnerInput!) { createAuthPartner(input: $i) { partner { id } apiKey licenseKey } }`, { i: { id, name: `Partner ${id}`, policyId: createAuthPolicy.id } }, ADMIN),
  );
  return {
    id,
    policyId: createAuthPolicy.id,
    credentials: { apiKey: createAuthPartner.apiKey, licenseKey: createAuthPartner.licenseKey },
    caller: { role: "partner", sub: `svc-${id}`, partnerId: id },
  };
}

let personSeq = 0;
export interface Person {
  id: string;
  uin: string;
  phone: string;
  demographics: { names: { language: string; value: string }[]; dateOfBirth: string; gender: string; phone: string; email: string };
}

export async function createPerson(sg: TestSubgraph, registrantId: string | null = null): Promise<Person> {
  personSeq++;
  const phone = `+2547${String(10_000_000 + personSeq * 7919).slice(-8)}`;
  const demographics = {
    names: [
      { language: "eng", value: `Amina Wanjiru ${personSeq}` },
      { language: "swa", value: `Amina Wanjirũ ${personSeq}` },
    ],
    dateOfBirth: "1990-04-12",
    gender: "F",
    phone,
    email: `amina${personSeq}@example.org`,
  };
  const { createIdentity } = dataOf(
    await sg.request(`mutation ($r: ID, $d: IdentityDemographicsInput) { createIdentity(registrantId: $r, demographics: $d) { id uin } }`, { r: registrantId, d: demographics }, REGISTRAR),
  );
  return { id: createIdentity.id, uin: createIdentity.uin, phone, demographics };
}

export const AUTH = /* GraphQL */ `
  mutation ($i: IdAuthInput!) { authenticate(input: $i) { authStatus authToken transactionId } }
`;

export function authInput(p: PartnerHandle, individualId: string, extra: Record<string, unknown> = {}) {
  return {
    individualId,
    transactionId: `t${Math.random().toString(36).slice(2, 10)}`,
    requestTime: clock.now().toISOString(),
    consentObtained: true,
    credentials: p.credentials,
    ...extra,
  };
}

export function mosipCodesOf(r: { errors?: { extensions?: Record<string, any> }[] }): string[] {
  return (r.errors ?? []).map((e) => String(e.extensions?.mosipCode));
}
