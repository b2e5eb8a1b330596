/**
 * A bounded LRU of Authorization headers that passed verification, so a client that sends the same
 * token on every request pays the signature check once per token, not once per request.
 *
 * Correctness rules:
 * - only a header that verified is cached; a failure is never cached (each bad token is checked,
 *   and answered, exactly as without the cache);
 * - an entry is used only while the token is unexpired by the verifier's own rule (jose rejects
 *   when `exp <= floor(now / 1000)`), and never longer than `maxAgeMs` after it was verified, so a
 *   key removed from the JWKS stops being honoured within that bound;
 * - a token without a numeric `exp` is not cached (it would never expire);
 * - the key is the whole header string: a token is never matched by a prefix or a hash.
 */
import type { TokenVerifier } from "@g2p/kit/auth";

export interface TokenCacheOptions {
  /** Most entries kept; 0 turns the cache off. */
  max: number;
  /** Longest an entry is trusted after its verification, whatever its `exp`. */
  maxAgeMs: number;
  /** Called once per check of a non-empty header: hit = answered from the cache. */
  onLookup?: (hit: boolean) => void;
  /** Clock in milliseconds (tests). */
  now?: () => number;
}

export interface CachedTokenVerifier {
  verify: TokenVerifier;
  /** Entries currently held (tests, metrics). */
  size(): number;
  hits(): number;
  misses(): number;
}

type Viewer = Awaited<ReturnType<TokenVerifier>>;

interface Entry {
  viewer: Viewer;
  /** Usable while now < until (milliseconds). */
  until: number;
}

/** The `exp` claim of a compact JWT in a `Bearer` header, or undefined; read only after verification succeeded. */
export function expiryOf(header: string): number | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1];
  const payload = token?.split(".")[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof claims.exp === "number" && Number.isFinite(claims.exp) ? claims.exp : undefined;
  } catch {
    return undefined;
  }
}

export function cacheVerifiedTokens(verify: TokenVerifier, opts: TokenCacheOptions): CachedTokenVerifier {
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let hits = 0;
  let misses = 0;
  const cached: TokenVerifier = async (header) => {
    if (!header || opts.max <= 0) return verify(header);
    const t = now();
    const hit = entries.get(header);
    if (hit) {
      if (t < hit.until) {
        // Most recently used last: Map keeps insertion order.
        entries.delete(header);
        entries.set(header, hit);
        hits++;
        opts.onLookup?.(true);
        return hit.viewer;
      }
      entries.delete(header);
    }
    misses++;
    opts.onLookup?.(false);
    const viewer = await verify(header); // throws for a bad or expired token: nothing cached
    const exp = expiryOf(header);
    if (exp === undefined) return viewer;
    // jose: expired when exp <= floor(now / 1000), i.e. valid while now < exp * 1000.
    const until = Math.min(exp * 1000, now() + opts.maxAgeMs);
    if (until <= now()) return viewer;
    entries.delete(header);
    entries.set(header, { viewer, until });
    while (entries.size > opts.max) entries.delete(entries.keys().next().value as string);
    return viewer;
  };
  return { verify: cached, size: () => entries.size, hits: () => hits, misses: () => misses };
}
