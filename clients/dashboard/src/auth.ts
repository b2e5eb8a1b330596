/**
 * The session: a pasted JWT kept in sessionStorage (gone when the tab closes). Its claims are read
 * only to decide what to show; the gateway and every subgraph verify the token on each call.
 * Permissions come from the same role map the subgraphs use (kit's roles.ts).
 */
import { ROLE_PERMISSIONS, isRole, type Permission, type Role } from "../../../subgraphs/kit/src/auth/roles";

export type { Permission, Role };

const STORAGE_KEY = "g2p.dashboard.token";

export interface Session {
  token: string;
  sub: string;
  roles: Role[];
  partnerId: string | null;
  programIds: string[];
  /** Seconds since the epoch, when the token says. */
  expiresAt: number | null;
  permissions: ReadonlySet<Permission>;
}

export class TokenFormatError extends Error {}

function decodeSegment(segment: string): unknown {
  const b64 = segment.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(segment.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** Reads a JWT's claims without verifying it (the server does that). */
export function parseToken(raw: string): Session {
  const token = raw.trim().replace(/^Bearer\s+/i, "");
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw new TokenFormatError("This is not a JWT (three base64url parts separated by dots).");
  let claims: Record<string, unknown>;
  try {
    claims = decodeSegment(parts[1]!) as Record<string, unknown>;
  } catch {
    throw new TokenFormatError("The token's payload is not readable JSON.");
  }
  const rawRoles = Array.isArray(claims.roles) ? claims.roles : typeof claims.role === "string" ? [claims.role] : [];
  const roles = rawRoles.filter(isRole);
  if (roles.length === 0) throw new TokenFormatError("The token carries no known role.");
  const expiresAt = typeof claims.exp === "number" ? claims.exp : null;
  if (expiresAt !== null && expiresAt * 1000 < Date.now()) throw new TokenFormatError("The token has expired.");
  return {
    token,
    sub: typeof claims.sub === "string" ? claims.sub : "(no subject)",
    roles,
    partnerId: typeof claims.partner_id === "string" ? claims.partner_id : null,
    programIds: Array.isArray(claims.program_ids) ? claims.program_ids.filter((p): p is string => typeof p === "string") : [],
    expiresAt,
    permissions: new Set(roles.flatMap((r) => ROLE_PERMISSIONS[r])),
  };
}

export function loadSession(): Session | null {
  const stored = sessionStorage.getItem(STORAGE_KEY);
  if (!stored) return null;
  try {
    return parseToken(stored);
  } catch {
    sessionStorage.removeItem(STORAGE_KEY);
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(STORAGE_KEY, session.token);
}

export function clearSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

export function can(session: Session | null, ...permissions: Permission[]): boolean {
  return session !== null && permissions.every((p) => session.permissions.has(p));
}

export function hasRole(session: Session | null, role: string): boolean {
  return session !== null && (session.roles as string[]).includes(role);
}
