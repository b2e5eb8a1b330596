import { keysetPage, notFound, type RegistrantKey, connectionTypes } from "@g2p/kit";
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { INTERNAL_PARTNER } from "../domain/crypto";
import { AuthTransaction } from "../entities/auth.entities";
import { Identity, IdentityStatus } from "../entities/identity.entity";
import { AuthType } from "../entities/partner.entity";
import { RegistrantIdentity } from "../entities/registrant-identity.entity";
import { RegistrantRef } from "../entities/registrant-ref";
import { Vid, VidType } from "../entities/vid.entity";
import { createIdentity, demographicsOf, setIdentityStatus } from "../services/identity.service";
import { isLocked, setAuthLocks } from "../services/lock.service";
import { loadPartner, tokenFor } from "../services/partner.service";
import { createVid, regenerateVid, revokeVid } from "../services/vid.service";
import { assertRawIds, type IdentityContext } from "./context";
import { AuthLockState, DemographicsInput, DemographicsView } from "./types";

export const AuthTransactionConnection = connectionTypes(AuthTransaction, "AuthTransaction");

/** The token of this person for the caller: its partner's (per policy), or the registry's own. */
async function tokenForCaller(ctx: IdentityContext, personToken: string): Promise<string> {
  const rt = ctx.loaders.rt;
  const partnerId = ctx.viewer.partnerId;
  if (!partnerId) return rt.crypto.token(personToken, INTERNAL_PARTNER);
  const found = await loadPartner(ctx.em, rt, partnerId);
  return tokenFor(rt, personToken, partnerId, found?.policy ?? null);
}

@Resolver(() => Identity)
export class IdentityResolver {
  @Authorized("identity:read")
  @Query(() => Identity)
  async identity(@Arg("id", () => ID) id: string, @Ctx() ctx: IdentityContext): Promise<Identity> {
    const found = await ctx.loaders.identityById.load(id);
    if (!found) throw notFound("Identity", id);
    return found;
  }

  @Authorized("identity:write")
  @Mutation(() => Identity, { description: "Issues an identity (fresh UIN) without biometric dedup; enrollIdentity dedups." })
  createIdentity(
    @Arg("registrantId", () => ID, { nullable: true }) registrantId: string | null,
    @Arg("demographics", () => DemographicsInput, { nullable: true }) demographics: DemographicsInput | null,
    @Ctx() ctx: IdentityContext,
  ) {
    return createIdentity(ctx.em, ctx, ctx.loaders.rt, { registrantId, demographics: demographics as never });
  }

  @Authorized("identity:write")
  @Mutation(() => Identity, { description: "ACTIVATED, BLOCKED or DEACTIVATED (deactivation also deactivates the VIDs)." })
  setIdentityStatus(@Arg("id", () => ID) id: string, @Arg("status", () => IdentityStatus) status: IdentityStatus, @Ctx() ctx: IdentityContext) {
    return setIdentityStatus(ctx.em, ctx, id, status);
  }

  @Authorized("identity:write")
  @Mutation(() => Vid, { description: "A new VID under the VID policy of its type (IDR-VID-003 over instancesAllowed)." })
  async createVid(@Arg("identityId", () => ID) identityId: string, @Arg("type", () => VidType) type: VidType, @Ctx() ctx: IdentityContext) {
    assertRawIds(ctx.viewer);
    return createVid(ctx.em, ctx, ctx.loaders.rt, identityId, type);
  }

  @Authorized("identity:write")
  @Mutation(() => Vid)
  revokeVid(@Arg("id", () => ID) id: string, @Ctx() ctx: IdentityContext) {
    assertRawIds(ctx.viewer);
    return revokeVid(ctx.em, ctx, id);
  }

  @Authorized("identity:write")
  @Mutation(() => Vid, { description: "A new VID of the same type; the old one is revoked." })
  regenerateVid(@Arg("id", () => ID) id: string, @Ctx() ctx: IdentityContext) {
    assertRawIds(ctx.viewer);
    return regenerateVid(ctx.em, ctx, ctx.loaders.rt, id);
  }

  @Authorized("identity:write")
  @Mutation(() => [AuthLockState], { description: "Locks auth types for an identity (IDA-MLC-019 on use)." })
  async lockAuthTypes(@Arg("identityId", () => ID) identityId: string, @Arg("authTypes", () => [AuthType]) authTypes: AuthType[], @Ctx() ctx: IdentityContext) {
    const now = ctx.loaders.rt.now();
    const locks = await setAuthLocks(ctx.em, ctx, now, identityId, authTypes, { lock: true });
    return locks.map((l) => ({ authType: l.authType as AuthType, locked: isLocked(l, now), unlockUntil: l.unlockUntil ?? null }));
  }

  @Authorized("identity:write")
  @Mutation(() => [AuthLockState], { description: "Unlocks auth types; with unlockForSeconds, only for that long (then locked again)." })
  async unlockAuthTypes(
    @Arg("identityId", () => ID) identityId: string,
    @Arg("authTypes", () => [AuthType]) authTypes: AuthType[],
    @Arg("unlockForSeconds", () => Int, { nullable: true }) unlockForSeconds: number | null,
    @Ctx() ctx: IdentityContext,
  ) {
    const now = ctx.loaders.rt.now();
    const locks = await setAuthLocks(ctx.em, ctx, now, identityId, authTypes, { lock: false, unlockForSeconds });
    return locks.map((l) => ({ authType: l.authType as AuthType, locked: isLocked(l, now), unlockUntil: l.unlockUntil ?? null }));
  }

  @FieldResolver(() => String, { nullable: true, description: "The raw UIN: only registrar and admin roles." })
  uin(@Root() identity: Identity, @Ctx() ctx: IdentityContext): string {
    assertRawIds(ctx.viewer);
    return ctx.loaders.rt.crypto.open(identity.uinSealed);
  }

  @Authorized("personal_data:read")
  @FieldResolver(() => DemographicsView, { nullable: true })
  demographics(@Root() identity: Identity, @Ctx() ctx: IdentityContext): DemographicsView {
    const d = demographicsOf(ctx.loaders.rt, identity);
    return { names: d.names, dateOfBirth: d.dateOfBirth ?? null, gender: d.gender ?? null, phone: d.phone ?? null, email: d.email ?? null, address: d.address ?? null };
  }

  @FieldResolver(() => String, { description: "This person's token for the caller's partner (the registry's own for staff)." })
  token(@Root() identity: Identity, @Ctx() ctx: IdentityContext): Promise<string> {
    return tokenForCaller(ctx, identity.personToken);
  }

  @FieldResolver(() => [Vid], { nullable: true, description: "VIDs of this person: only registrar and admin roles." })
  vids(@Root() identity: Identity, @Ctx() ctx: IdentityContext) {
    assertRawIds(ctx.viewer);
    return ctx.loaders.vidsByIdentity.load(identity.id);
  }

  @Authorized("identity:read")
  @FieldResolver(() => [AuthLockState])
  async authLocks(@Root() identity: Identity, @Ctx() ctx: IdentityContext): Promise<AuthLockState[]> {
    const now = ctx.loaders.rt.now();
    const rows = await ctx.loaders.locksByIdentity.load(identity.id);
    return rows.map((l) => ({ authType: l.authType as AuthType, locked: isLocked(l, now), unlockUntil: l.unlockUntil ?? null }));
  }

  @Authorized("identity:read")
  @FieldResolver(() => AuthTransactionConnection, { description: "Every authentication of this person, all partners, oldest first." })
  authHistory(
    @Root() identity: Identity,
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: IdentityContext,
  ) {
    return keysetPage(ctx.em, AuthTransaction, { identityId: identity.id }, { first, after });
  }
}

@Resolver(() => Vid)
export class VidResolver {
  @FieldResolver(() => String, { nullable: true, description: "The raw 16-digit VID: only registrar and admin roles." })
  vid(@Root() vid: Vid, @Ctx() ctx: IdentityContext): string {
    assertRawIds(ctx.viewer);
    return ctx.loaders.rt.crypto.open(vid.vidSealed);
  }
}

@Resolver(() => RegistrantRef)
export class RegistrantIdentityResolver {
  @Authorized("identity:read")
  @FieldResolver(() => Identity, { nullable: true, description: "The identity linked to this registrant, if any." })
  async identity(@Root() registrant: RegistrantKey, @Ctx() ctx: IdentityContext) {
    const link = await ctx.loaders.linkByRegistrant.load(registrant.id);
    return link?.identity?.unwrap() ?? null;
  }

  @Authorized("registrant:read")
  @FieldResolver(() => RegistrantIdentity, { nullable: true, description: "How this registrant's national id was verified, and its token for the caller's partner. Never the id." })
  idVerification(@Root() registrant: RegistrantKey, @Ctx() ctx: IdentityContext) {
    return ctx.loaders.linkByRegistrant.load(registrant.id);
  }
}

@Resolver(() => RegistrantIdentity)
export class IdVerificationResolver {
  @FieldResolver(() => String, { nullable: true, description: "The person's token for the caller's partner; null when verification failed." })
  token(@Root() link: RegistrantIdentity, @Ctx() ctx: IdentityContext): Promise<string> | null {
    const identity = link.identity?.unwrap();
    if (!identity) return null;
    if (link.seedToken && link.seedPartnerId === (ctx.viewer.partnerId ?? INTERNAL_PARTNER)) return Promise.resolve(link.seedToken);
    return tokenForCaller(ctx, identity.personToken);
  }
}
