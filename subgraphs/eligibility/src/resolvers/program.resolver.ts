import { notFound, type RegistrantKey, type SubgraphContext } from "@g2p/kit";
import { RegistrantRef } from "../entities/registrant-ref";
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from "type-graphql";
import { Enrollment } from "../entities/enrollment.entity";
import { Program, TargetKind } from "../entities/program.entity";
import type { EligibilityLoaders } from "../loaders";
import { createProgram, enroll } from "../services/program.service";

type EligibilityContext = SubgraphContext<EligibilityLoaders>;

@InputType()
export class CreateProgramInput {
  @Field() name!: string;
  @Field(() => TargetKind) target!: TargetKind;
  @Field() currency!: string;
}

@Resolver(() => Program)
export class ProgramResolver {
  @Authorized("program:read")
  @Query(() => Program)
  async program(@Arg("id", () => ID) id: string, @Ctx() ctx: EligibilityContext): Promise<Program> {
    const found = await ctx.loaders.programById.load(id);
    if (!found) throw notFound("Program", id);
    return found;
  }

  @Authorized("program:write")
  @Mutation(() => Program)
  createProgram(@Arg("input") input: CreateProgramInput, @Ctx() ctx: EligibilityContext) {
    return createProgram(ctx.em, ctx, input);
  }

  @Authorized("enrollment:write")
  @Mutation(() => Enrollment)
  enroll(
    @Arg("programId", () => ID) programId: string,
    @Arg("registrantId", () => ID) registrantId: string,
    @Ctx() ctx: EligibilityContext,
  ) {
    return enroll(ctx.em, ctx, programId, registrantId);
  }
}

@Resolver(() => Enrollment)
export class EnrollmentResolver {
  @FieldResolver(() => Program)
  program(@Root() enrollment: Enrollment, @Ctx() ctx: EligibilityContext) {
    return ctx.loaders.programById.load(enrollment.programId);
  }
}

@Resolver(() => RegistrantRef)
export class RegistrantEnrollmentsResolver {
  @Authorized("program:read")
  @FieldResolver(() => [Enrollment], { nullable: true, description: "This registrant's enrollments across all programs." })
  enrollments(@Root() registrant: RegistrantKey, @Ctx() ctx: EligibilityContext) {
    return ctx.loaders.enrollmentsByRegistrant.load(registrant.id);
  }
}
