import { notFound } from "@g2p/kit";
import { Arg, Authorized, Ctx, Field, ID, Mutation, ObjectType, Query, Resolver } from "type-graphql";
import { ActiveStatus, AuthPartner, AuthPolicy } from "../entities/partner.entity";
import { createPartner, createPolicy, setPartnerStatus, setPolicyStatus, type CredentialField } from "../services/partner.service";
import type { IdentityContext } from "./context";
import { CreateAuthPartnerInput, CreateAuthPolicyInput } from "./types";
import { registerEnumType } from "type-graphql";

export enum PartnerCredential {
  PARTNER = "status",
  API_KEY = "apiKeyStatus",
  LICENSE_KEY = "licenseKeyStatus",
}
registerEnumType(PartnerCredential, { name: "AuthPartnerCredential", description: "What a status change applies to." });

@ObjectType()
export class AuthPartnerCreated {
  @Field(() => AuthPartner) partner!: AuthPartner;
  @Field({ description: "Shown once; stored only as a hash." }) apiKey!: string;
  @Field({ description: "MISP licence key, shown once; stored only as a hash." }) licenseKey!: string;
}

/**
 * Partner management. There is no partner-admin permission in the kit yet, so it needs
 * identity:write (registrar, admin); see docs/identity.md.
 */
@Resolver()
export class PartnerResolver {
  @Authorized("identity:read")
  @Query(() => [AuthPolicy])
  authPolicies(@Ctx() ctx: IdentityContext) {
    return ctx.em.find(AuthPolicy, {}, { orderBy: { createdAt: "asc" } });
  }

  @Authorized("identity:read")
  @Query(() => AuthPartner)
  async authPartner(@Arg("id", () => ID) id: string, @Ctx() ctx: IdentityContext) {
    const p = await ctx.em.findOne(AuthPartner, id);
    if (!p) throw notFound("AuthPartner", id);
    return p;
  }

  @Authorized("identity:write")
  @Mutation(() => AuthPolicy)
  createAuthPolicy(@Arg("input", () => CreateAuthPolicyInput) input: CreateAuthPolicyInput, @Ctx() ctx: IdentityContext) {
    return createPolicy(ctx.em, ctx, input);
  }

  @Authorized("identity:write")
  @Mutation(() => AuthPolicy)
  setAuthPolicyStatus(@Arg("id", () => ID) id: string, @Arg("status", () => ActiveStatus) status: ActiveStatus, @Ctx() ctx: IdentityContext) {
    return setPolicyStatus(ctx.em, ctx, ctx.loaders.rt, id, status);
  }

  @Authorized("identity:write")
  @Mutation(() => AuthPartnerCreated)
  createAuthPartner(@Arg("input", () => CreateAuthPartnerInput) input: CreateAuthPartnerInput, @Ctx() ctx: IdentityContext) {
    return createPartner(ctx.em, ctx, ctx.loaders.rt, input);
  }

  @Authorized("identity:write")
  @Mutation(() => AuthPartner, { description: "Activate, deactivate or block a partner, its API key or its licence key." })
  setAuthPartnerStatus(
    @Arg("id", () => ID) id: string,
    @Arg("credential", () => PartnerCredential) credential: PartnerCredential,
    @Arg("status", () => ActiveStatus) status: ActiveStatus,
    @Ctx() ctx: IdentityContext,
  ) {
    return setPartnerStatus(ctx.em, ctx, ctx.loaders.rt, id, credential as CredentialField, status);
  }
}
