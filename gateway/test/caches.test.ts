/**
 * The verified-token cache must never accept what the verifier would reject: expiry honoured to
 * the second, failures never cached, bounded size (LRU), a maximum trust age. The query-plan cache
 * counts hits and misses and stays within its byte budget.
 */
import { createTokenVerifier, signDevToken } from "@g2p/kit/auth";
import { createQueryPlanCache } from "../src/plan-cache";
import { cacheVerifiedTokens, expiryOf } from "../src/token-cache";

const settings = { JWT_ISSUER: "g2p-graph-dev", JWT_AUDIENCE: "g2p-graph" };

describe("verified-token cache", () => {
  test("verifies a token once, then answers from the cache with the same viewer", async () => {
    const verify = jest.fn(createTokenVerifier(settings));
    const lookups: boolean[] = [];
    const cache = cacheVerifiedTokens(verify, { max: 10, maxAgeMs: 60_000, onLookup: (hit) => lookups.push(hit) });
    const header = `Bearer ${await signDevToken({ sub: "u1", roles: ["admin"] })}`;
    const first = await cache.verify(header);
    const second = await cache.verify(header);
    expect(second).toBe(first);
    expect(second.sub).toBe("u1");
    expect(verify).toHaveBeenCalledTimes(1);
    expect(lookups).toEqual([false, true]);
  });

  test("an absent header is anonymous and never cached", async () => {
    const verify = jest.fn(createTokenVerifier(settings));
    const cache = cacheVerifiedTokens(verify, { max: 10, maxAgeMs: 60_000 });
    expect((await cache.verify(undefined)).authenticated).toBe(false);
    expect(cache.size()).toBe(0);
  });

  test("a bad token is rejected every time and never cached", async () => {
    const verify = jest.fn(createTokenVerifier(settings));
    const cache = cacheVerifiedTokens(verify, { max: 10, maxAgeMs: 60_000 });
    const good = await signDevToken({ sub: "u1", roles: ["admin"] });
    const forged = `Bearer ${good.slice(0, -3)}abc`;
    await expect(cache.verify(forged)).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    await expect(cache.verify(forged)).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    expect(verify).toHaveBeenCalledTimes(2);
    expect(cache.size()).toBe(0);
  });

  test("honours expiry: a cached token is re-verified (and rejected) once its exp has passed", async () => {
    let now = Date.now();
    const verify = jest.fn(createTokenVerifier(settings));
    const cache = cacheVerifiedTokens(verify, { max: 10, maxAgeMs: 3_600_000, now: () => now });
    const header = `Bearer ${await signDevToken({ sub: "u1", roles: ["admin"] }, { expiresIn: "2s" })}`;
    const exp = expiryOf(header)!;
    await cache.verify(header);
    now = exp * 1000 - 1; // last millisecond the token is valid: from the cache
    await cache.verify(header);
    expect(verify).toHaveBeenCalledTimes(1);
    now = exp * 1000; // expired by jose's rule (exp <= now in seconds): never from the cache
    await cache.verify(header).catch(() => undefined);
    expect(verify).toHaveBeenCalledTimes(2);
    expect(cache.size()).toBe(0);
  });

  test("a token that really expired is rejected after having been cached", async () => {
    const verify = createTokenVerifier(settings);
    const cache = cacheVerifiedTokens(verify, { max: 10, maxAgeMs: 3_600_000 });
    const header = `Bearer ${await signDevToken({ sub: "u1", roles: ["admin"] }, { expiresIn: "1s" })}`;
    await cache.verify(header);
    await new Promise((r) => setTimeout(r, (expiryOf(header)! * 1000 - Date.now()) + 50));
    await expect(cache.verify(header)).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
  });

  test("trusts an entry no longer than maxAgeMs, whatever its exp", async () => {
    let now = Date.now();
    const verify = jest.fn(createTokenVerifier(settings));
    const cache = cacheVerifiedTokens(verify, { max: 10, maxAgeMs: 1_000, now: () => now });
    const header = `Bearer ${await signDevToken({ sub: "u1", roles: ["admin"] })}`;
    await cache.verify(header);
    now += 999;
    await cache.verify(header);
    expect(verify).toHaveBeenCalledTimes(1);
    now += 1;
    await cache.verify(header);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  test("is bounded and evicts the least recently used", async () => {
    const verify = jest.fn(createTokenVerifier(settings));
    const cache = cacheVerifiedTokens(verify, { max: 2, maxAgeMs: 60_000 });
    const [a, b, c] = await Promise.all(["a", "b", "c"].map(async (sub) => `Bearer ${await signDevToken({ sub, roles: ["admin"] })}`));
    await cache.verify(a);
    await cache.verify(b);
    await cache.verify(a); // a is now the most recent
    await cache.verify(c); // evicts b
    expect(cache.size()).toBe(2);
    verify.mockClear();
    await cache.verify(a);
    await cache.verify(c);
    expect(verify).not.toHaveBeenCalled();
    await cache.verify(b);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  test("a token without exp is verified every time", async () => {
    const { SignJWT } = await import("jose");
    const { DEV_JWT_SECRET } = await import("@g2p/kit/auth");
    const token = await new SignJWT({ roles: ["admin"] })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("u1")
      .setIssuer(settings.JWT_ISSUER)
      .setAudience(settings.JWT_AUDIENCE)
      .sign(new TextEncoder().encode(DEV_JWT_SECRET));
    const verify = jest.fn(createTokenVerifier(settings));
    const cache = cacheVerifiedTokens(verify, { max: 10, maxAgeMs: 60_000 });
    await cache.verify(`Bearer ${token}`);
    await cache.verify(`Bearer ${token}`);
    expect(verify).toHaveBeenCalledTimes(2);
    expect(cache.size()).toBe(0);
  });

  test("max 0 turns the cache off", async () => {
    const verify = jest.fn(createTokenVerifier(settings));
    const cache = cacheVerifiedTokens(verify, { max: 0, maxAgeMs: 60_000 });
    const header = `Bearer ${await signDevToken({ sub: "u1", roles: ["admin"] })}`;
    await cache.verify(header);
    await cache.verify(header);
    expect(verify).toHaveBeenCalledTimes(2);
  });
});

describe("query-plan cache", () => {
  test("counts hits and misses, evicts by size, clears", async () => {
    const lookups: boolean[] = [];
    const cache = createQueryPlanCache({ maxBytes: 40, onLookup: (hit) => lookups.push(hit) });
    expect(await cache.get("a")).toBeUndefined();
    await cache.set("a", { kind: "QueryPlan", n: 1 }); // 24 bytes of JSON
    expect(await cache.get("a")).toEqual({ kind: "QueryPlan", n: 1 });
    await cache.set("b", { kind: "QueryPlan", n: 2 }); // over 40: evicts a
    expect(await cache.get("a")).toBeUndefined();
    expect(await cache.get("b")).toEqual({ kind: "QueryPlan", n: 2 });
    expect(lookups).toEqual([false, true, false, true]);
    expect(cache.bytes()).toBeLessThanOrEqual(40);
    cache.clear();
    expect(await cache.get("b")).toBeUndefined();
    expect(cache.bytes()).toBe(0);
  });
});
