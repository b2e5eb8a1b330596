/**
 * NODE_ENV=production across the whole stack: tokens from an identity provider's JWKS (here a local
 * server of ours with an ES256 key), no introspection, and no stack trace or internal message in any
 * error that reaches a client.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { codesOf, dataOf } from "@g2p/kit";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { startStack, type Stack } from "../src";

async function startJwks() {
  const { publicKey, privateKey } = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "test-key", alg: "ES256", use: "sig" };
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  const sign = (roles: string[]) =>
    new SignJWT({ roles }).setProtectedHeader({ alg: "ES256", kid: "test-key" }).setSubject("prod-user")
      .setIssuer("https://idp.example.test").setAudience("g2p-graph").setIssuedAt().setExpirationTime("10m").sign(privateKey);
  return { url, sign, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("production mode", () => {
  let stack: Stack;
  let jwks: Awaited<ReturnType<typeof startJwks>>;
  let admin: { token: string };

  beforeAll(async () => {
    jwks = await startJwks();
    const env = { NODE_ENV: "production", JWKS_URL: jwks.url, JWT_ISSUER: "https://idp.example.test", JWT_AUDIENCE: "g2p-graph" };
    stack = await startStack({ env, gatewayEnv: env });
    admin = { token: await jwks.sign(["admin"]) };
  });
  afterAll(async () => {
    await stack?.stop();
    await jwks?.close();
  });

  /** The response part of a request dump must say nothing about our internals. */
  const assertClean = (dump: string) => {
    const response = dump.slice(dump.indexOf("\n--> "));
    expect(response).not.toMatch(/stacktrace| {4}at |node_modules|\.ts:\d+|select |sqlite|knex|127\.0\.0\.1/i);
  };

  it("verifies tokens against the JWKS, and refuses the development secret", async () => {
    expect(dataOf(await stack.request(`{ registrants(first: 1) { totalCount } }`, {}, admin)).registrants.totalCount).toBe(0);
    const devToken = await stack.request(`{ registrants(first: 1) { totalCount } }`, {}, { role: "admin" }); // HS256 dev token
    expect(codesOf(devToken)).toEqual(["UNAUTHENTICATED"]);
    assertClean(devToken.dump);
  });

  it("keeps user errors readable but bare, and masks unexpected ones", async () => {
    const bad = await stack.request(`mutation { createRegistrant(input: { kind: GROUP }) { id } }`, {}, admin);
    expect(codesOf(bad)).toEqual(["BAD_USER_INPUT"]);
    expect(bad.errors![0]!.message).toBe("A group needs a groupName");
    assertClean(bad.dump);

    await stack.subgraphs.registry!.orm.close(true); // the registry's database goes away
    const broken = await stack.request(`{ registrants(first: 1) { totalCount } }`, {}, admin);
    expect(codesOf(broken)).toEqual(["INTERNAL_SERVER_ERROR"]);
    expect(broken.errors![0]!.message).toBe("Internal server error");
    assertClean(broken.dump);
  });

  it("turns introspection off and hides field suggestions", async () => {
    const introspection = await stack.request(`{ __schema { types { name } } }`, {}, admin);
    expect(codesOf(introspection)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    const typo = await stack.request(`{ registrantz(first: 1) { totalCount } }`, {}, admin);
    expect(typo.dump).not.toMatch(/Did you mean/);
    assertClean(typo.dump);
  });
});
