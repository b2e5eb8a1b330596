import { connectionTypes, notFound, type SubgraphContext } from "@g2p/kit";
import { Arg, ArgsType, Args, Authorized, Ctx, Field, ID, InputType, Int, Mutation, Query, Resolver } from "type-graphql";
import { Registrant, RegistrantKind } from "../entities/registrant.entity";
import type { RegistryLoaders } from "../loaders";
import { createRegistrant, listRegistrants } from "../services/registrant.service";

export const RegistrantConnection = connectionTypes(Registrant, "Registrant");

@InputType()
export class CreateRegistrantInput {
  @Field(() => RegistrantKind) kind!: RegistrantKind;
  @Field(() => String, { nullable: true }) givenName?: string | null;
  @Field(() => String, { nullable: true }) familyName?: string | null;
  @Field(() => String, { nullable: true }) groupName?: string | null;
}

@ArgsType()
export class RegistrantsArgs {
  @Field(() => Int, { nullable: true, description: "Page size, 1 to 500 (default 50)." }) first?: number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
  @Field(() => RegistrantKind, { nullable: true }) kind?: RegistrantKind | null;
}

type RegistryContext = SubgraphContext<RegistryLoaders>;

@Resolver(() => Registrant)
export class RegistrantResolver {
  @Authorized("registrant:read")
  @Query(() => Registrant, { nullable: true })
  async registrant(@Arg("id", () => ID) id: string, @Ctx() ctx: RegistryContext): Promise<Registrant> {
    const found = await ctx.loaders.registrantById.load(id);
    if (!found) throw notFound("Registrant", id);
    return found;
  }

  @Authorized("registrant:read")
  @Query(() => RegistrantConnection)
  registrants(@Args() args: RegistrantsArgs, @Ctx() ctx: RegistryContext) {
    return listRegistrants(ctx.em, args);
  }

  @Authorized("registrant:write")
  @Mutation(() => Registrant)
  createRegistrant(@Arg("input") input: CreateRegistrantInput, @Ctx() ctx: RegistryContext): Promise<Registrant> {
    return createRegistrant(ctx.em, ctx, input);
  }
}
