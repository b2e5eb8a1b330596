import { badInput, type SubgraphContext } from "@g2p/kit";
import { GraphQLJSONObject } from "graphql-scalars";
import { Args, ArgsType, Authorized, Ctx, Field, ID, Int, ObjectType, Query, Resolver } from "type-graphql";
import { RegistrantKind } from "../entities/registrant.entity";
import type { RegistryLoaders } from "../loaders";
import { processingPage } from "../services/processing.service";

/**
 * The bulk read other blocks use (eligibility over a million registrants, payments, vouchers):
 * a service-role stream of registrants with the attributes rules and formulas need, in pages
 * ordered by id. This shape is a contract between blocks; extend it, never break it.
 */
@ObjectType({ description: "A household member, as bulk processing sees it." })
export class ProcessingMember {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true, description: "HEAD, SPOUSE, CHILD, ... (null if not recorded)." }) role!: string | null;
  @Field(() => String, { nullable: true, description: "ISO date (YYYY-MM-DD)." }) birthDate!: string | null;
  @Field(() => String, { nullable: true }) sex!: string | null;
  @Field(() => Boolean, { nullable: true }) disability!: boolean | null;
}

@ObjectType({ description: "A registrant with what rules, scoring and entitlement formulas read." })
export class ProcessingRegistrant {
  @Field(() => ID) id!: string;
  @Field(() => RegistrantKind) kind!: RegistrantKind;
  @Field(() => String, { nullable: true, description: "ISO date (YYYY-MM-DD); individuals only." }) birthDate!: string | null;
  @Field(() => String, { nullable: true }) sex!: string | null;
  @Field(() => Boolean, { nullable: true }) disability!: boolean | null;
  @Field(() => String, { nullable: true, description: "Code of the lowest administrative area known." }) adminAreaCode!: string | null;
  @Field(() => ID, { nullable: true, description: "For an individual: the group (household) it currently belongs to." }) groupId!: string | null;
  @Field(() => [ProcessingMember], { nullable: true, description: "For a group: its current members." }) members!: ProcessingMember[] | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: "Deployment-defined attributes (income, assets, ...)." })
  extra!: Record<string, unknown> | null;
}

@ObjectType()
export class ProcessingPage {
  @Field(() => [ProcessingRegistrant]) nodes!: ProcessingRegistrant[];
  @Field(() => String, { nullable: true, description: "Pass as `after` for the next page." }) endCursor!: string | null;
  @Field() hasNextPage!: boolean;
}

@ArgsType()
export class ProcessingArgs {
  @Field(() => Int, { defaultValue: 1000, description: "1 to 5000." }) first!: number;
  @Field(() => String, { nullable: true }) after?: string | null;
  @Field(() => RegistrantKind, { nullable: true }) kind?: RegistrantKind | null;
}

@Resolver()
export class ProcessingResolver {
  @Authorized("personal_data:read")
  @Query(() => ProcessingPage, { description: "Service role: registrants page after page, for bulk work in other blocks." })
  registrantsForProcessing(@Args() args: ProcessingArgs, @Ctx() ctx: SubgraphContext<RegistryLoaders>) {
    if (args.first < 1 || args.first > 5000) throw badInput("first must be between 1 and 5000", "first");
    return processingPage(ctx.em, args);
  }
}
