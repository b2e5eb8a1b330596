import { forbidden, type SubgraphContext, type Viewer } from "@g2p/kit";
import type { IdentityLoaders } from "../loaders";

export type IdentityContext = SubgraphContext<IdentityLoaders>;

/**
 * Raw UIN / VID: only for roles that both write identities and read personal data (registrar,
 * admin). Everyone else knows a person by a token.
 */
export function canSeeRawIds(viewer: Viewer): boolean {
  return viewer.can("identity:write") && viewer.can("personal_data:read");
}

export function assertRawIds(viewer: Viewer): void {
  if (!canSeeRawIds(viewer)) throw forbidden("Raw UIN/VID need identity:write and personal_data:read");
}
