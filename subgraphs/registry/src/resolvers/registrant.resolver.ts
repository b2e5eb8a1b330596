import { connectionTypes, forbidden, notFound, type SubgraphContext } from "@g2p/kit";
import { GraphQLJSONObject } from "graphql-scalars";
import { Arg, ArgsType, Args, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root, registerEnumType } from "type-graphql";
import { FinancialAddress, FinancialAddressKind } from "../entities/financial-address.entity";
import { Identifier } from "../entities/identifier.entity";
import { GroupMembership } from "../entities/membership.entity";
import { GroupKind, Registrant, RegistrantKind, RegistrantStatus, Sex } from "../entities/registrant.entity";
import type { RegistryLoaders } from "../loaders";
import { addFinancialAddress, addIdentifier, addMembership, createRegistrant, endMembership, updateRegistrant } from "../services/registrant.service";
import { registrantStats, searchRegistrants, type ExtraOp, type SortField } from "../services/search.service";

export const RegistrantConnection = connectionTypes(Registrant, "Registrant");
type RegistryContext = SubgraphContext<RegistryLoaders>;

@InputType()
export class IdentifierInput {
  @Field() type!: string;
  @Field() value!: string;
}

@InputType()
export class FinancialAddressInput {
  @Field(() => FinancialAddressKind) kind!: FinancialAddressKind;
  @Field(() => String, { nullable: true }) iban?: string | null;
  @Field(() => String, { nullable: true }) msisdn?: string | null;
  @Field(() => String, { nullable: true }) walletId?: string | null;
  @Field(() => String, { nullable: true }) provider?: string | null;
  @Field(() => Boolean, { nullable: true }) primary?: boolean | null;
}

@InputType()
class RegistrantFieldsInput {
  @Field(() => GroupKind, { nullable: true }) groupKind?: GroupKind | null;
  @Field(() => String, { nullable: true }) givenName?: string | null;
  @Field(() => String, { nullable: true }) familyName?: string | null;
  @Field(() => String, { nullable: true }) otherNames?: string | null;
  @Field(() => String, { nullable: true }) groupName?: string | null;
  @Field(() => String, { nullable: true, description: "YYYY-MM-DD, not in the future." }) birthDate?: string | null;
  @Field(() => Boolean, { nullable: true }) birthDateApproximate?: boolean | null;
  @Field(() => Sex, { nullable: true }) sex?: Sex | null;
  @Field(() => [String], { nullable: true, description: "Phone numbers; stored as E.164." }) phones?: string[] | null;
  @Field(() => String, { nullable: true }) addressLine?: string | null;
  @Field(() => String, { nullable: true }) adminAreaCode?: string | null;
  @Field(() => [String], { nullable: true, description: "Area codes from the top level down to adminAreaCode." }) adminAreaPath?: string[] | null;
  @Field(() => Boolean, { nullable: true }) disability?: boolean | null;
  @Field(() => String, { nullable: true }) registrationDate?: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true }) extra?: Record<string, unknown> | null;
}

@InputType()
export class CreateRegistrantInput extends RegistrantFieldsInput {
  @Field(() => RegistrantKind) kind!: RegistrantKind;
  @Field(() => [IdentifierInput], { nullable: true }) identifiers?: IdentifierInput[] | null;
  @Field(() => [FinancialAddressInput], { nullable: true }) financialAddresses?: FinancialAddressInput[] | null;
  @Field(() => ID, { nullable: true, description: "For an individual: join this group at once." }) groupId?: string | null;
  @Field(() => String, { nullable: true, description: "Role in groupId (HEAD at most one per group)." }) role?: string | null;
}

@InputType()
export class UpdateRegistrantInput extends RegistrantFieldsInput {}

export enum RegistrantSort {
  CREATED_AT = "CREATED_AT",
  NAME = "NAME",
}
registerEnumType(RegistrantSort, { name: "RegistrantSort" });
export enum ExtraOperator {
  EQ = "EQ",
  NE = "NE",
  LT = "LT",
  LTE = "LTE",
  GT = "GT",
  GTE = "GTE",
}
registerEnumType(ExtraOperator, { name: "ExtraOperator" });

@InputType()
class ExtraAttributeFilter {
  @Field({ description: "Dotted path in the extra attributes, e.g. income or assets.cattle." }) path!: string;
  @Field(() => ExtraOperator) op!: ExtraOperator;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Comparison value as { "value": ... } (number, string or boolean).' }) value!: { value: unknown };
}

@InputType()
export class RegistrantFilter {
  @Field(() => String, { nullable: true, description: "Name search; fuzzy (phonetic, per token) unless fuzzy: false. Needs personal_data:read." }) name?: string | null;
  @Field(() => Boolean, { nullable: true }) fuzzy?: boolean | null;
  @Field(() => String, { nullable: true, description: "An administrative area code: the area and every area under it." }) adminArea?: string | null;
  @Field(() => Int, { nullable: true }) ageMin?: number | null;
  @Field(() => Int, { nullable: true }) ageMax?: number | null;
  @Field(() => RegistrantKind, { nullable: true }) kind?: RegistrantKind | null;
  @Field(() => GroupKind, { nullable: true }) groupKind?: GroupKind | null;
  @Field(() => Sex, { nullable: true }) sex?: Sex | null;
  @Field(() => [RegistrantStatus], { nullable: true, description: "Default: ACTIVE only." }) status?: RegistrantStatus[] | null;
  @Field(() => String, { nullable: true, description: "With identifierValue; needs personal_data:read." }) identifierType?: string | null;
  @Field(() => String, { nullable: true }) identifierValue?: string | null;
  @Field(() => [ExtraAttributeFilter], { nullable: true }) extra?: ExtraAttributeFilter[] | null;
}

@ArgsType()
export class RegistrantsArgs {
  @Field(() => Int, { nullable: true, description: "Page size, 1 to 1000 (default 50)." }) first?: number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
  @Field(() => RegistrantKind, { nullable: true, description: "Shorthand for filter.kind." }) kind?: RegistrantKind | null;
  @Field(() => RegistrantFilter, { nullable: true }) filter?: RegistrantFilter | null;
  @Field(() => RegistrantSort, { nullable: true }) sort?: RegistrantSort | null;
  @Field(() => Boolean, { nullable: true }) descending?: boolean | null;
}

@ObjectType()
export class CountBucket {
  @Field() key!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: "Counts for dashboards (no personal data)." })
export class RegistrantStats {
  @Field(() => Int) total!: number;
  @Field(() => [CountBucket]) byArea!: CountBucket[];
  @Field(() => [CountBucket]) bySex!: CountBucket[];
  @Field(() => [CountBucket], { description: "0-4, 5-17, 18-59, 60+, UNKNOWN." }) byAgeBand!: CountBucket[];
  @Field(() => [CountBucket]) byKind!: CountBucket[];
}

@ObjectType({ description: "One change to a registrant, from the audit log." })
export class RegistrantChange {
  @Field() at!: Date;
  @Field() actor!: string;
  @Field() action!: string;
  @Field(() => GraphQLJSONObject, { nullable: true }) changes!: Record<string, unknown> | null;
}

function safeFilter(args: Pick<RegistrantsArgs, "filter" | "kind">, ctx: RegistryContext) {
  const f = args.filter ?? {};
  if ((f.name || f.identifierValue) && !ctx.viewer.can("personal_data:read")) throw forbidden("Searching by name or identifier needs personal_data:read");
  return {
    ...f,
    kind: f.kind ?? args.kind ?? null,
    extra: f.extra?.map((x) => ({ path: x.path, op: x.op as ExtraOp, value: x.value?.value })) ?? null,
  };
}

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
  @Query(() => RegistrantConnection, { description: "Search with filters, sort and cursor pagination; totalCount counts every match." })
  async registrants(@Args() args: RegistrantsArgs, @Ctx() ctx: RegistryContext) {
    const filter = safeFilter(args, ctx);
    return searchRegistrants(ctx.em, { filter, sort: args.sort as SortField | null, descending: args.descending, first: args.first, after: args.after });
  }

  @Authorized("registrant:read")
  @Query(() => RegistrantStats)
  registrantStats(@Arg("filter", () => RegistrantFilter, { nullable: true }) filter: RegistrantFilter | null, @Ctx() ctx: RegistryContext) {
    return registrantStats(ctx.em, safeFilter({ filter }, ctx));
  }

  @Authorized("registrant:write")
  @Mutation(() => Registrant)
  createRegistrant(@Arg("input") input: CreateRegistrantInput, @Ctx() ctx: RegistryContext): Promise<Registrant> {
    const { groupId, role, ...data } = input;
    return createRegistrant(ctx.em, ctx, data, { groupId, role });
  }

  @Authorized("registrant:write")
  @Mutation(() => Registrant, { description: "Replaces the given fields (null clears one); validated and audited with from/to." })
  updateRegistrant(@Arg("id", () => ID) id: string, @Arg("input") input: UpdateRegistrantInput, @Ctx() ctx: RegistryContext): Promise<Registrant> {
    return updateRegistrant(ctx.em, ctx, id, { ...input });
  }

  @Authorized("registrant:write")
  @Mutation(() => GroupMembership)
  addGroupMember(
    @Arg("groupId", () => ID) groupId: string,
    @Arg("individualId", () => ID) individualId: string,
    @Arg("role", () => String, { nullable: true }) role: string | null,
    @Arg("startDate", () => String, { nullable: true }) startDate: string | null,
    @Ctx() ctx: RegistryContext,
  ) {
    return ctx.em.transactional((tx) => addMembership(tx, ctx, groupId, individualId, role, startDate));
  }

  @Authorized("registrant:write")
  @Mutation(() => GroupMembership)
  endGroupMembership(@Arg("id", () => ID) id: string, @Arg("endDate", () => String, { nullable: true }) endDate: string | null, @Ctx() ctx: RegistryContext) {
    return endMembership(ctx.em, ctx, id, endDate);
  }

  @Authorized("registrant:write")
  @Mutation(() => Identifier)
  addIdentifier(@Arg("registrantId", () => ID) registrantId: string, @Arg("input") input: IdentifierInput, @Ctx() ctx: RegistryContext) {
    return addIdentifier(ctx.em, ctx, registrantId, input.type, input.value);
  }

  @Authorized("registrant:write")
  @Mutation(() => FinancialAddress)
  addFinancialAddress(@Arg("registrantId", () => ID) registrantId: string, @Arg("input") input: FinancialAddressInput, @Ctx() ctx: RegistryContext) {
    return addFinancialAddress(ctx.em, ctx, registrantId, input);
  }

  @Authorized("personal_data:read")
  @FieldResolver(() => [Identifier], { description: "Typed identifiers. Personal data." })
  identifiers(@Root() r: Registrant, @Ctx() ctx: RegistryContext) {
    return ctx.loaders.identifiersByRegistrant.load(r.id);
  }

  @Authorized("personal_data:read")
  @FieldResolver(() => [FinancialAddress], { description: "Where to pay. Personal data." })
  financialAddresses(@Root() r: Registrant, @Ctx() ctx: RegistryContext) {
    return ctx.loaders.financialAddressesByRegistrant.load(r.id);
  }

  @FieldResolver(() => [GroupMembership], { description: "For a group: its memberships (current and ended)." })
  async members(@Root() r: Registrant, @Ctx() ctx: RegistryContext) {
    return r.kind === RegistrantKind.GROUP ? ctx.loaders.membershipsByGroup.load(r.id) : [];
  }

  @FieldResolver(() => [GroupMembership], { description: "For an individual: the groups it belongs or belonged to." })
  async memberships(@Root() r: Registrant, @Ctx() ctx: RegistryContext) {
    return r.kind === RegistrantKind.INDIVIDUAL ? ctx.loaders.membershipsByIndividual.load(r.id) : [];
  }

  @Authorized("personal_data:read")
  @FieldResolver(() => [RegistrantChange], { description: "Change history (create, updates, merges), oldest first. Personal data." })
  async history(@Root() r: Registrant, @Ctx() ctx: RegistryContext): Promise<RegistrantChange[]> {
    const rows = await ctx.loaders.historyByRegistrant.load(r.id);
    return rows.map((a) => ({ at: a.at, actor: a.actor, action: a.action, changes: (a.changes as Record<string, unknown>) ?? null }));
  }
}

@Resolver(() => GroupMembership)
export class GroupMembershipResolver {
  @FieldResolver(() => Registrant, { nullable: true })
  group(@Root() m: GroupMembership, @Ctx() ctx: RegistryContext) {
    return ctx.loaders.registrantById.load(m.groupId);
  }

  @FieldResolver(() => Registrant, { nullable: true })
  individual(@Root() m: GroupMembership, @Ctx() ctx: RegistryContext) {
    return ctx.loaders.registrantById.load(m.individualId);
  }
}

