import { notFound, type RegistrantKey, type SubgraphContext } from "@g2p/kit";
import { RegistrantRef } from "../entities/registrant-ref";
import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { Identity } from "../entities/identity.entity";

import type { IdentityLoaders } from "../loaders";
import { createIdentity } from "../services/identity.service";

type IdentityContext = SubgraphContext<IdentityLoaders>;

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
  @Mutation(() => Identity)
  createIdentity(@Arg("registrantId", () => ID, { nullable: true }) registrantId: string | null, @Ctx() ctx: IdentityContext) {
    return createIdentity(ctx.em, ctx, registrantId ?? null);
  }
}

@Resolver(() => RegistrantRef)
export class RegistrantIdentityResolver {
  @Authorized("identity:read")
  @FieldResolver(() => Identity, { nullable: true, description: "The identity linked to this registrant, if any." })
  identity(@Root() registrant: RegistrantKey, @Ctx() ctx: IdentityContext) {
    return ctx.loaders.identityByRegistrant.load(registrant.id);
  }
}
