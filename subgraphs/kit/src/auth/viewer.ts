import { ROLE_PERMISSIONS, type Permission, type Role } from "./roles";

/** The verified caller of one request, built from the token's claims (or anonymous). */
export interface Viewer {
  readonly authenticated: boolean;
  readonly sub: string | null;
  readonly roles: readonly Role[];
  readonly partnerId: string | null;
  /** Programs this caller is scoped to; empty = not scoped (all programs its role allows). */
  readonly programIds: readonly string[];
  can(permission: Permission): boolean;
}

export function createViewer(claims: { sub?: string; roles?: Role[]; partnerId?: string | null; programIds?: string[] } | null): Viewer {
  const roles = claims?.roles ?? [];
  const granted = new Set<Permission>(roles.flatMap((r) => ROLE_PERMISSIONS[r]));
  return {
    authenticated: claims !== null,
    sub: claims?.sub ?? null,
    roles,
    partnerId: claims?.partnerId ?? null,
    programIds: claims?.programIds ?? [],
    can: (permission) => granted.has(permission),
  };
}

export const ANONYMOUS: Viewer = createViewer(null);
