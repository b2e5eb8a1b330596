import { SignJWT } from "jose";
import { createTokenVerifier, DEV_JWT_SECRET, signDevToken } from "../src/auth";

// The verifier remembers tokens it verified, so a caller's next requests skip the signature check;
// a remembered token still stops working at its `exp`, and after cacheMs it is verified again.
describe("verified-token cache", () => {
  const settings = { JWT_ISSUER: "g2p-graph-dev", JWT_AUDIENCE: "g2p-graph" };
  const secret = new TextEncoder().encode(DEV_JWT_SECRET);
  const token = (expSeconds: number) =>
    new SignJWT({ roles: ["auditor"] }).setProtectedHeader({ alg: "HS256" }).setSubject("a").setIssuer("g2p-graph-dev").setAudience("g2p-graph").setExpirationTime(expSeconds).sign(secret);

  it("answers a repeated token from the cache, with the same viewer", async () => {
    const verify = createTokenVerifier(settings);
    const t = await signDevToken({ sub: "auditor-1", roles: ["auditor"] });
    const first = await verify(`Bearer ${t}`);
    expect(await verify(`Bearer ${t}`)).toBe(first);
    expect(first.can("audit:read")).toBe(true);
  });

  it("never serves a token past its exp, nor past cacheMs", async () => {
    let clock = Date.now();
    const verify = createTokenVerifier(settings, { now: () => clock, cacheMs: 60_000 });
    const exp = Math.floor(clock / 1000) + 30;
    const t = await token(exp);
    const viewer = await verify(`Bearer ${t}`);
    clock = exp * 1000 - 1;
    expect(await verify(`Bearer ${t}`)).toBe(viewer);
    clock = exp * 1000; // expired: not from the cache; jose (real clock) still accepts it, so a fresh viewer comes back
    expect(await verify(`Bearer ${t}`)).not.toBe(viewer);

    const short = createTokenVerifier(settings, { now: () => clock, cacheMs: 1_000 });
    const t2 = await signDevToken({ sub: "auditor-2", roles: ["auditor"] });
    const v2 = await short(`Bearer ${t2}`);
    clock += 1_000;
    expect(await short(`Bearer ${t2}`)).not.toBe(v2);
  });

  it("caches nothing that failed, and a tampered token is checked on its own", async () => {
    const verify = createTokenVerifier(settings);
    const t = await signDevToken({ sub: "admin-1", roles: ["admin"] });
    await verify(`Bearer ${t}`);
    const [h, p, sig] = t.split(".");
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, "base64url").toString()), sub: "x" })).toString("base64url")}.${sig}`;
    await expect(verify(`Bearer ${tampered}`)).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    await expect(verify(`Bearer ${tampered}`)).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
  });

  it("keeps at most cacheSize tokens, dropping the least recently used", async () => {
    const verify = createTokenVerifier(settings, { cacheSize: 2 });
    const [a, b, c] = await Promise.all(["a", "b", "c"].map((sub) => signDevToken({ sub, roles: ["auditor"] })));
    const va = await verify(`Bearer ${a}`);
    const vb = await verify(`Bearer ${b}`);
    expect(await verify(`Bearer ${a}`)).toBe(va); // a is now the most recent
    await verify(`Bearer ${c}`); // drops b
    expect(await verify(`Bearer ${a}`)).toBe(va);
    expect(await verify(`Bearer ${b}`)).not.toBe(vb);
  });
});
