import { SignJWT } from "jose";
import { createTokenVerifier, DEV_JWT_SECRET, signDevToken } from "../src/auth";

const settings = { NODE_ENV: "test", JWT_ISSUER: "g2p-graph-dev", JWT_AUDIENCE: "g2p-graph" };

describe("token verification", () => {
  const verify = createTokenVerifier(settings);

  it("turns a valid token into a viewer with roles, partner and programs", async () => {
    const token = await signDevToken({ sub: "alice", roles: ["partner"], partnerId: "bank-1", programIds: ["p1"] });
    const viewer = await verify(`Bearer ${token}`);
    expect(viewer).toMatchObject({ authenticated: true, sub: "alice", roles: ["partner"], partnerId: "bank-1", programIds: ["p1"] });
    expect(viewer.can("registrant:read")).toBe(true);
    expect(viewer.can("personal_data:read")).toBe(false);
  });

  it("treats a missing header as anonymous", async () => {
    const viewer = await verify(undefined);
    expect(viewer.authenticated).toBe(false);
    expect(viewer.can("registrant:read")).toBe(false);
  });

  it.each([
    ["expired", async () => signDevToken({ sub: "a", roles: ["admin"] }, { expiresIn: Math.floor(Date.now() / 1000) - 60 }), "Token expired"],
    ["wrongly signed", async () => signDevToken({ sub: "a", roles: ["admin"] }, { secret: "another-secret-of-enough-length" }), "Invalid token"],
    ["for another audience", async () => signDevToken({ sub: "a", roles: ["admin"] }, { audience: "someone-else" }), "Invalid token"],
    ["garbage", async () => "not.a.jwt", "Invalid token"],
  ])("rejects a %s token with UNAUTHENTICATED", async (_what, make, message) => {
    await expect(verify(`Bearer ${await make()}`)).rejects.toMatchObject({ message, extensions: { code: "UNAUTHENTICATED" } });
  });

  it("refuses the 'none' algorithm and non-bearer schemes", async () => {
    const unsigned = new SignJWT({ roles: ["admin"] }).setProtectedHeader({ alg: "HS512" }).setSubject("x")
      .setIssuer(settings.JWT_ISSUER).setAudience(settings.JWT_AUDIENCE).setExpirationTime("1h");
    const hs512 = await unsigned.sign(new TextEncoder().encode(DEV_JWT_SECRET));
    await expect(verify(`Bearer ${hs512}`)).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    await expect(verify("Basic dXNlcjpwYXNz")).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
  });

  it("ignores roles it does not know", async () => {
    const token = await new SignJWT({ roles: ["superuser", "auditor"] }).setProtectedHeader({ alg: "HS256" }).setSubject("b")
      .setIssuer(settings.JWT_ISSUER).setAudience(settings.JWT_AUDIENCE).setExpirationTime("1h")
      .sign(new TextEncoder().encode(DEV_JWT_SECRET));
    expect((await verify(`Bearer ${token}`)).roles).toEqual(["auditor"]);
  });

  it("will not run in production without a JWKS URL", () => {
    expect(() => createTokenVerifier({ ...settings, NODE_ENV: "production" })).toThrow(/JWKS_URL/);
  });
});
