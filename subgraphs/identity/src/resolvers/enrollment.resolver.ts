import { notFound } from "@g2p/kit";
import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { IdentityEnrollment } from "../entities/enrollment.entities";
import { Identity } from "../entities/identity.entity";
import { adjudicate, enroll } from "../services/enrollment.service";
import { startTokenSeeding, TOKEN_SEEDING_JOB } from "../services/seeding.service";
import type { IdentityContext } from "./context";
import { EnrollIdentityInput, SeedTokensInput, TokenSeedingJob } from "./types";
import type { JobRecord } from "@g2p/kit";

const jobView = (j: JobRecord): TokenSeedingJob => ({
  id: j.id,
  status: j.status,
  totalChunks: j.totalChunks,
  doneChunks: j.doneChunks,
  failedChunks: j.failedChunks,
  error: j.error ?? null,
});

@Resolver(() => IdentityEnrollment)
export class EnrollmentResolver {
  @Authorized("identity:write")
  @Mutation(() => IdentityEnrollment, { description: "Enrollment with ABIS-style biometric dedup: ISSUED, DUPLICATE or MANUAL_ADJUDICATION." })
  enrollIdentity(@Arg("input", () => EnrollIdentityInput) input: EnrollIdentityInput, @Ctx() ctx: IdentityContext) {
    return enroll(ctx.em, ctx, ctx.loaders.rt, { registrantId: input.registrantId ?? null, demographics: input.demographics as never, biometrics: input.biometrics });
  }

  @Authorized("identity:write")
  @Mutation(() => IdentityEnrollment, { description: "Manual adjudication: issue = not a duplicate (a UIN is issued); otherwise rejected." })
  adjudicateEnrollment(@Arg("id", () => ID) id: string, @Arg("issue") issue: boolean, @Ctx() ctx: IdentityContext) {
    return adjudicate(ctx.em, ctx, ctx.loaders.rt, id, issue);
  }

  @Authorized("identity:read")
  @Query(() => IdentityEnrollment)
  async identityEnrollment(@Arg("id", () => ID) id: string, @Ctx() ctx: IdentityContext) {
    const e = await ctx.loaders.enrollmentById.load(id);
    if (!e) throw notFound("IdentityEnrollment", id);
    return e;
  }

  @FieldResolver(() => Identity, { nullable: true })
  identity(@Root() e: IdentityEnrollment, @Ctx() ctx: IdentityContext) {
    return e.identityId ? ctx.loaders.identityById.load(e.identityId) : null;
  }

  @Authorized("identity:write")
  @Mutation(() => TokenSeedingJob, { description: "Bulk verification of registrants' ids + demographics; stores each registrant's token (a job)." })
  async seedTokens(@Arg("input", () => SeedTokensInput) input: SeedTokensInput, @Ctx() ctx: IdentityContext) {
    const job = await startTokenSeeding(ctx.em, ctx, ctx.loaders.rt, ctx.jobs, input.partnerId ?? null, input.records as never);
    return jobView(job);
  }

  @Authorized("identity:read")
  @Query(() => TokenSeedingJob)
  async tokenSeedingJob(@Arg("id", () => ID) id: string, @Ctx() ctx: IdentityContext) {
    const job = await ctx.jobs.get(id);
    if (!job || job.name !== TOKEN_SEEDING_JOB) throw notFound("TokenSeedingJob", id);
    return jobView(job);
  }
}
