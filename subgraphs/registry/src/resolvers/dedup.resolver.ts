import { badInput, type SubgraphContext } from "@g2p/kit";
import { Arg, Authorized, Ctx, FieldResolver, Float, ID, InputType, Field, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { DedupCandidate, DedupStatus } from "../entities/dedup-candidate.entity";
import { Registrant } from "../entities/registrant.entity";
import type { RegistryLoaders } from "../loaders";
import { dismissCandidate, mergeCandidate } from "../services/dedup.service";
import { putSetting, SETTING, loadValidationContext } from "../services/settings.service";
import { audit } from "@g2p/kit";

type RegistryContext = SubgraphContext<RegistryLoaders>;

@InputType()
export class DedupConfigInput {
  @Field(() => Float, { nullable: true }) nameWeight?: number | null;
  @Field(() => Float, { nullable: true }) birthDateWeight?: number | null;
  @Field(() => Float, { nullable: true }) phoneWeight?: number | null;
  @Field(() => Float, { nullable: true }) areaWeight?: number | null;
  @Field(() => Float, { nullable: true, description: "0..1; pairs scoring at least this become candidates." }) threshold?: number | null;
  @Field(() => Boolean, { nullable: true }) onImport?: boolean | null;
}

@Resolver(() => DedupCandidate)
export class DedupResolver {
  @Authorized("personal_data:read")
  @Query(() => [DedupCandidate], { description: "Candidate duplicate pairs, highest score first within creation order pages." })
  dedupCandidates(
    @Arg("status", () => DedupStatus, { defaultValue: DedupStatus.PENDING }) status: DedupStatus,
    @Arg("first", () => Int, { defaultValue: 50 }) first: number,
    @Arg("minScore", () => Float, { nullable: true }) minScore: number | null,
    @Ctx() ctx: RegistryContext,
  ) {
    if (first < 1 || first > 500) throw badInput("first must be 1..500", "first");
    return ctx.em.find(DedupCandidate, { status, ...(minScore != null ? { score: { $gte: minScore } } : {}) }, { orderBy: { score: "desc", id: "asc" }, limit: first });
  }

  @FieldResolver(() => Registrant, { nullable: true })
  a(@Root() c: DedupCandidate, @Ctx() ctx: RegistryContext) {
    return ctx.loaders.registrantById.load(c.registrantA);
  }

  @FieldResolver(() => Registrant, { nullable: true })
  b(@Root() c: DedupCandidate, @Ctx() ctx: RegistryContext) {
    return ctx.loaders.registrantById.load(c.registrantB);
  }

  @Authorized("registrant:write")
  @Mutation(() => DedupCandidate, { description: "Confirm: merge the pair into survivorId (default registrantA); moves identifiers, financial addresses, memberships." })
  mergeDuplicate(@Arg("candidateId", () => ID) candidateId: string, @Arg("survivorId", () => ID, { nullable: true }) survivorId: string | null, @Ctx() ctx: RegistryContext) {
    return mergeCandidate(ctx.em, ctx, candidateId, survivorId);
  }

  @Authorized("registrant:write")
  @Mutation(() => DedupCandidate)
  dismissDuplicate(@Arg("candidateId", () => ID) candidateId: string, @Ctx() ctx: RegistryContext) {
    return dismissCandidate(ctx.em, ctx, candidateId);
  }

  @Authorized("registrant:write")
  @Mutation(() => Boolean, { description: "Deduplication weights and threshold (deployment setting)." })
  async setDedupConfig(@Arg("input") input: DedupConfigInput, @Ctx() ctx: RegistryContext) {
    const cur = (await loadValidationContext(ctx.em)).dedup;
    for (const [k, v] of Object.entries(input)) if (typeof v === "number" && (v < 0 || (k === "threshold" && v > 1))) throw badInput(`${k} out of range`, k);
    const next = {
      weights: {
        ...cur.weights,
        ...(input.nameWeight != null ? { name: input.nameWeight } : {}),
        ...(input.birthDateWeight != null ? { birthDate: input.birthDateWeight } : {}),
        ...(input.phoneWeight != null ? { phone: input.phoneWeight } : {}),
        ...(input.areaWeight != null ? { area: input.areaWeight } : {}),
      },
      threshold: input.threshold ?? cur.threshold,
      onImport: input.onImport ?? cur.onImport,
    };
    await ctx.em.transactional(async (tx) => {
      audit(tx, ctx, { action: "registry.settings.dedup", entityType: "RegistrySetting", entityId: SETTING.dedup, changes: next });
      await putSetting(tx, SETTING.dedup, next);
    });
    return true;
  }
}
