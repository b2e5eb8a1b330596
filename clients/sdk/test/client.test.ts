/**
 * The SDK against a real stack (five subgraphs + gateway): typed requests, pagination over Relay
 * cursors, errors typed by extensions.code, the request id, timeouts, and OAuth2 client credentials
 * against a small local token endpoint that signs development tokens.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { signDevToken } from "@g2p/kit/auth";
import { startStack, type Stack } from "@g2p/test";
import { parse } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import {
  clientCredentials,
  G2PClient,
  G2PError,
  isG2PError,
  ProgramDocument,
  RegistrantDocument,
  SearchPeopleDocument,
  SearchRegistrantsDocument,
  staticToken,
} from "../src";

const token = (roles: Parameters<typeof signDevToken>[0]["roles"], sub = "sdk-test", partnerId?: string) => signDevToken({ sub, roles, partnerId });

/** A tiny OAuth2 token endpoint (client_secret_basic or _post) issuing dev JWTs with a short life. */
async function tokenEndpoint(opts: { expiresIn: number }) {
  const calls: { grant: string | null; clientId: string | null; scope: string | null }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      const form = new URLSearchParams(body);
      let id = form.get("client_id");
      let secret = form.get("client_secret");
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
      if (basic) [id, secret] = Buffer.from(basic[1]!, "base64").toString().split(":").map(decodeURIComponent) as [string, string];
      calls.push({ grant: form.get("grant_type"), clientId: id, scope: form.get("scope") });
      res.setHeader("content-type", "application/json");
      if (form.get("grant_type") !== "client_credentials") {
        res.writeHead(400).end(JSON.stringify({ error: "unsupported_grant_type" }));
        return;
      }
      if (id !== "bank-of-demo" || secret !== "s3cret:with/odd chars") {
        res.writeHead(401).end(JSON.stringify({ error: "invalid_client", error_description: "bad credentials" }));
        return;
      }
      const access = await signDevToken({ sub: `client:${id}`, roles: ["partner"], partnerId: "BANK-DEMO" }, { expiresIn: `${opts.expiresIn}s` });
      res.end(JSON.stringify({ access_token: access, token_type: "Bearer", expires_in: opts.expiresIn }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`, calls, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("G2PClient against the graph", () => {
  let stack: Stack;
  let admin: G2PClient;
  const ids: string[] = [];

  beforeAll(async () => {
    stack = await startStack();
    admin = new G2PClient({ url: stack.gatewayUrl, auth: staticToken(await token(["admin"])) });
    for (let i = 0; i < 7; i++) {
      const r = await stack.request(`mutation ($i: CreateRegistrantInput!) { createRegistrant(input: $i) { id } }`, { i: { kind: "INDIVIDUAL", givenName: `Wanjiru ${i}`, familyName: "Kamau", sex: i % 2 ? "MALE" : "FEMALE", adminAreaCode: "KE-047-01" } }, { role: "registrar" });
      ids.push(r.data.createRegistrant.id);
    }
  }, 120_000);
  afterAll(() => stack?.stop());

  it("runs typed operations and returns their data", async () => {
    const { registrant } = await admin.request(RegistrantDocument, { id: ids[0]! });
    expect(registrant).toMatchObject({ id: ids[0], kind: "INDIVIDUAL", sex: "FEMALE", adminAreaCode: "KE-047-01", enrollments: [], payments: [], vouchers: [] });
  });

  it("iterates over every page of a connection", async () => {
    const seen: string[] = [];
    const requests: string[] = [];
    const client = new G2PClient({
      url: stack.gatewayUrl,
      auth: await token(["admin"]),
      fetch: (async (url: string, init: RequestInit) => {
        requests.push(JSON.parse(String(init.body)).variables.after ?? "first");
        return fetch(url, init);
      }) as typeof fetch,
    });
    for await (const r of client.paginate(SearchRegistrantsDocument, { filter: { adminArea: "KE-047-01" } }, (d) => d.registrants, { pageSize: 3 })) seen.push(r.id);
    expect(seen.sort()).toEqual([...ids].sort());
    expect(requests).toHaveLength(3); // 3 + 3 + 1
    expect(new Set(requests).size).toBe(3);
    expect(await client.all(SearchRegistrantsDocument, { filter: { adminArea: "KE-047-01" } }, (d) => d.registrants, { pageSize: 2, limit: 5 })).toHaveLength(5);
  });

  it("types errors by extensions.code", async () => {
    const missing = await admin.request(ProgramDocument, { id: "00000000-0000-4000-8000-000000000000" }).catch((e: unknown) => e);
    expect(isG2PError(missing, "NOT_FOUND")).toBe(true);
    expect(isG2PError(missing, "FORBIDDEN")).toBe(false);
    expect(missing).toBeInstanceOf(G2PError);
    expect((missing as G2PError).operationName).toBe("Program");

    // a partner may not read personal data: FORBIDDEN (execute() returns the errors instead of throwing)
    const partner = new G2PClient({ url: stack.gatewayUrl, auth: await token(["partner"], "bank", "BANK-DEMO") });
    const forbidden = await partner.request(SearchPeopleDocument, { filter: { adminArea: "KE-047-01" }, first: 2 }).catch((e: unknown) => e);
    expect(isG2PError(forbidden, "FORBIDDEN")).toBe(true);
    expect((forbidden as G2PError).codes.every((c) => c === "FORBIDDEN")).toBe(true);
    const raw = await partner.execute(SearchPeopleDocument, { filter: { adminArea: "KE-047-01" }, first: 2 });
    expect(raw.errors.map((e) => e.extensions?.code)).toContain("FORBIDDEN");
    // the same partner may search without personal data
    expect((await partner.request(SearchRegistrantsDocument, { filter: { adminArea: "KE-047-01" }, first: 2 })).registrants.totalCount).toBe(7);

    // a wrongly signed token: the gateway answers 401 UNAUTHENTICATED
    const forged = new G2PClient({ url: stack.gatewayUrl, auth: `${await token(["admin"])}x` });
    const unauth = await forged.request(RegistrantDocument, { id: ids[0]! }).catch((e: unknown) => e);
    expect(unauth).toMatchObject({ code: "UNAUTHENTICATED", status: 401 });

    // an operation the graph does not have: GRAPHQL_VALIDATION_FAILED
    const bogus = parse("query Bogus { nothingHere }") as TypedDocumentNode<unknown, Record<string, never>>;
    await expect(admin.request(bogus)).rejects.toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", status: 400 });

    // nobody listening: NETWORK_ERROR
    const nowhere = new G2PClient({ url: "http://127.0.0.1:9/graphql", auth: "x" });
    await expect(nowhere.request(RegistrantDocument, { id: "x" })).rejects.toMatchObject({ code: "NETWORK_ERROR" });
  });

  it("sends a request id and reports it with errors", async () => {
    const res = await admin.execute(RegistrantDocument, { id: ids[1]! }, { requestId: "partner-req-42" });
    expect(res.requestId).toBe("partner-req-42");
    const err = (await admin.request(ProgramDocument, { id: "00000000-0000-4000-8000-000000000000" }, { requestId: "partner-req-43" }).catch((e: unknown) => e)) as G2PError;
    expect(err.requestId).toBe("partner-req-43");
  });

  it("gives up after timeoutMs with TIMEOUT", async () => {
    const silent = http.createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const client = new G2PClient({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/graphql`, auth: "x", timeoutMs: 300 });
      const started = Date.now();
      await expect(client.request(RegistrantDocument, { id: "x" })).rejects.toMatchObject({ code: "TIMEOUT" });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it("authenticates with OAuth2 client credentials, caches the token and refreshes it before expiry", async () => {
    const idp = await tokenEndpoint({ expiresIn: 120 });
    try {
      let clock = Date.now();
      const auth = clientCredentials({ tokenUrl: idp.url, clientId: "bank-of-demo", clientSecret: "s3cret:with/odd chars", scope: "g2p", refreshBeforeSeconds: 30, now: () => clock });
      const bank = new G2PClient({ url: stack.gatewayUrl, auth });
      // concurrent first requests share one token request
      const pages = await Promise.all([1, 2, 3].map(() => bank.request(SearchRegistrantsDocument, { filter: { adminArea: "KE-047-01" }, first: 1 })));
      expect(pages.map((p) => p.registrants.totalCount)).toEqual([7, 7, 7]);
      expect(idp.calls).toEqual([{ grant: "client_credentials", clientId: "bank-of-demo", scope: "g2p" }]);
      clock += 60_000; // still 60 s left, more than the 30 s margin: cached
      await bank.request(SearchRegistrantsDocument, { first: 1 });
      expect(auth.fetchCount).toBe(1);
      clock += 31_000; // within 30 s of expiry: a new token
      await bank.request(SearchRegistrantsDocument, { first: 1 });
      expect(auth.fetchCount).toBe(2);

      // a token the graph refuses (401) is dropped and fetched again, once
      let served = 0;
      const flaky = clientCredentials({
        tokenUrl: idp.url,
        clientId: "bank-of-demo",
        clientSecret: "s3cret:with/odd chars",
        authMethod: "client_secret_post",
        fetch: (async (url: string, init: RequestInit) => {
          const res = await fetch(url, init);
          if (served++ > 0) return res;
          return new Response(JSON.stringify({ access_token: "revoked.token.value", expires_in: 3600 }), { status: 200, headers: { "content-type": "application/json" } });
        }) as typeof fetch,
      });
      const retried = await new G2PClient({ url: stack.gatewayUrl, auth: flaky }).request(SearchRegistrantsDocument, { first: 1 });
      expect(retried.registrants.totalCount).toBeGreaterThanOrEqual(7);
      expect(flaky.fetchCount).toBe(2);

      // wrong credentials: AUTH_FAILED with the endpoint's reason
      const wrong = new G2PClient({ url: stack.gatewayUrl, auth: clientCredentials({ tokenUrl: idp.url, clientId: "bank-of-demo", clientSecret: "nope" }) });
      await expect(wrong.request(SearchRegistrantsDocument, { first: 1 })).rejects.toMatchObject({ code: "AUTH_FAILED", status: 401, message: expect.stringContaining("invalid_client") });
    } finally {
      await idp.stop();
    }
  });
});
