/**
 * JWT verification with jose: an HS256 secret in development and tests, a JWKS URL (with issuer and
 * audience) in production. The gateway and every subgraph use this same verifier, so a subgraph
 * reached directly is no weaker than the gateway.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from "jose";
import { unauthenticated } from "../errors";
import { isRole, type Role } from "./roles";
import { ANONYMOUS, createViewer, type Viewer } from "./viewer";

/** Used only outside production when JWT_SECRET is unset, so `npm start` works out of the box. */
export const DEV_JWT_SECRET = "g2p-graph-development-secret-do-not-use-in-production";

export interface AuthSettings {
  NODE_ENV?: string;
  JWT_SECRET?: string;
  JWKS_URL?: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
}

export interface TokenClaims {
  sub: string;
  roles: Role[];
  partnerId?: string;
  programIds?: string[];
}

export type TokenVerifier = (authorizationHeader: string | undefined | null) => Promise<Viewer>;

export interface VerifierOptions {
  /** Verified tokens kept (default 10,000; 0 turns the cache off). */
  cacheSize?: number;
  /** Longest a verified token is trusted without checking its signature again (default 60 s). */
  cacheMs?: number;
  now?: () => number;
}

/**
 * Tokens already verified, by their exact text: a partner's next requests skip the signature check
 * (the largest per-request cost after parsing, in the identity and vouchers profiles). An entry never
 * outlives the token's `exp`, nor `cacheMs`, which bounds how long a key rotated out of the JWKS
 * keeps working. Least recently used entries go first.
 */
class VerifiedTokens {
  private readonly entries = new Map<string, { viewer: Viewer; until: number }>();
  constructor(
    private readonly size: number,
    private readonly maxAgeMs: number,
    private readonly now: () => number,
  ) {}

  get(token: string): Viewer | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    this.entries.delete(token);
    if (this.now() >= entry.until) return undefined;
    this.entries.set(token, entry); // most recently used last
    return entry.viewer;
  }

  set(token: string, viewer: Viewer, exp: number | undefined): void {
    if (this.size <= 0) return;
    const until = Math.min(this.now() + this.maxAgeMs, exp !== undefined ? exp * 1000 : Number.POSITIVE_INFINITY);
    if (this.entries.size >= this.size) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { viewer, until });
  }
}

export function createTokenVerifier(settings: AuthSettings, opts: VerifierOptions = {}): TokenVerifier {
  const production = settings.NODE_ENV === "production";
  if (!settings.JWKS_URL && production) throw new Error("JWKS_URL is required in production");
  const jwks = settings.JWKS_URL ? createRemoteJWKSet(new URL(settings.JWKS_URL)) : null;
  const secret = new TextEncoder().encode(settings.JWT_SECRET ?? DEV_JWT_SECRET);
  const options = { issuer: settings.JWT_ISSUER, audience: settings.JWT_AUDIENCE };
  const now = opts.now ?? Date.now;
  const verified = new VerifiedTokens(opts.cacheSize ?? 10_000, opts.cacheMs ?? 60_000, now);
  return async (header) => {
    if (!header) return ANONYMOUS;
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) throw unauthenticated("Authorization header must be 'Bearer <token>'");
    const cached = verified.get(match[1]!);
    if (cached) return cached;
    let payload: JWTPayload;
    try {
      ({ payload } = jwks
        ? await jwtVerify(match[1]!, jwks, options)
        : await jwtVerify(match[1]!, secret, { ...options, algorithms: ["HS256"] }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw unauthenticated("Token expired");
      throw unauthenticated("Invalid token");
    }
    const viewer = viewerFromClaims(payload);
    verified.set(match[1]!, viewer, payload.exp);
    return viewer;
  };
}

export function viewerFromClaims(payload: JWTPayload): Viewer {
  const rawRoles = Array.isArray(payload.roles) ? payload.roles : typeof payload.role === "string" ? [payload.role] : [];
  const roles = rawRoles.filter(isRole);
  const programIds = Array.isArray(payload.program_ids) ? payload.program_ids.filter((p): p is string => typeof p === "string") : [];
  return createViewer({
    sub: typeof payload.sub === "string" ? payload.sub : undefined,
    roles,
    partnerId: typeof payload.partner_id === "string" ? payload.partner_id : null,
    programIds,
  });
}

/** Signs a development token with the local secret (npm run token, tests). */
export async function signDevToken(
  claims: TokenClaims,
  opts: { secret?: string; issuer?: string; audience?: string; expiresIn?: string | number } = {},
): Promise<string> {
  const body: JWTPayload = { roles: claims.roles };
  if (claims.partnerId) body.partner_id = claims.partnerId;
  if (claims.programIds?.length) body.program_ids = claims.programIds;
  return new SignJWT(body)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuer(opts.issuer ?? "g2p-graph-dev")
    .setAudience(opts.audience ?? "g2p-graph")
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? "8h")
    .sign(new TextEncoder().encode(opts.secret ?? DEV_JWT_SECRET));
}
