import { forbidden, keysetPage } from "@g2p/kit";
import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import { AuthTransaction } from "../entities/auth.entities";
import { authenticate, authenticatedForTransaction, ekyc, kycAuth, kycExchange, requestOtp, type AuthRequest } from "../services/auth.service";
import type { IdentityContext } from "./context";
import { AuthTransactionConnection } from "./identity.resolver";
import { AuthInput, AuthResult, EkycInput, EkycResult, KycAuthResult, KycExchangeInput, KycExchangeResult, OtpRequestInput, OtpRequestResult } from "./types";

function toRequest(input: AuthInput): AuthRequest {
  return {
    individualId: input.individualId,
    individualIdType: input.individualIdType ?? null,
    transactionId: input.transactionId,
    requestTime: input.requestTime,
    consentObtained: input.consentObtained,
    credentials: input.credentials,
    demographics: input.demographics ?? null,
    otp: input.otp ?? null,
    biometrics: input.biometrics ?? null,
  };
}

/**
 * Authentication for relying parties (role partner, with partner_id; API key and licence key in the
 * input). Failures are GraphQL errors with `extensions.code` and `extensions.mosipCode`.
 */
@Resolver()
export class AuthResolver {
  @Authorized()
  @Mutation(() => OtpRequestResult, { description: "Sends an OTP to the person's phone/email through the notification outbox." })
  requestOtp(@Arg("input", () => OtpRequestInput) input: OtpRequestInput, @Ctx() ctx: IdentityContext) {
    return requestOtp(ctx, ctx.loaders.rt, ctx.viewer.partnerId, { ...input, individualIdType: input.individualIdType ?? null });
  }

  @Authorized()
  @Mutation(() => AuthResult, { description: "Yes/no authentication: demographic, OTP and/or biometric." })
  async authenticate(@Arg("input", () => AuthInput) input: AuthInput, @Ctx() ctx: IdentityContext): Promise<AuthResult> {
    const outcome = await authenticate(ctx, ctx.loaders.rt, ctx.viewer.partnerId, toRequest(input));
    return { authStatus: true, authToken: outcome.token, transactionId: outcome.transactionId };
  }

  @Authorized()
  @Mutation(() => EkycResult, { description: "Authentication plus the KYC attributes the policy allows and the person consented to." })
  async ekyc(@Arg("input", () => EkycInput) input: EkycInput, @Ctx() ctx: IdentityContext): Promise<EkycResult> {
    const { outcome, attributes } = await ekyc(ctx, ctx.loaders.rt, ctx.viewer.partnerId, { ...toRequest(input), consentedAttributes: input.consentedAttributes });
    return { kycStatus: true, authToken: outcome.token, attributes };
  }

  @Authorized()
  @Mutation(() => KycAuthResult, { description: "eSignet kyc-auth: authenticate and get a single-use kycToken." })
  async kycAuth(@Arg("input", () => AuthInput) input: AuthInput, @Ctx() ctx: IdentityContext): Promise<KycAuthResult> {
    const r = await kycAuth(ctx, ctx.loaders.rt, ctx.viewer.partnerId, toRequest(input));
    return { kycStatus: true, ...r };
  }

  @Authorized()
  @Mutation(() => KycExchangeResult, { description: "eSignet kyc-exchange: the kycToken for signed claims (verify with identitySigningKeys)." })
  async kycExchange(@Arg("input", () => KycExchangeInput) input: KycExchangeInput, @Ctx() ctx: IdentityContext): Promise<KycExchangeResult> {
    const r = await kycExchange(ctx, ctx.loaders.rt, ctx.viewer.partnerId, input);
    return { jwt: r.jwt, releasedAttributes: r.claims };
  }

  @Authorized()
  @Query(() => AuthTransactionConnection, { description: "The calling partner's own auth transactions, oldest first." })
  myAuthTransactions(
    @Arg("first", () => Int, { nullable: true }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: IdentityContext,
  ) {
    if (!ctx.viewer.partnerId) throw forbidden("Only a partner (token with partner_id) has its own auth transactions");
    return keysetPage(ctx.em, AuthTransaction, { partnerId: ctx.viewer.partnerId }, { first, after });
  }

  @Authorized("identity:read")
  @Query(() => Boolean, {
    description: "Presence check for money: did this registrant authenticate successfully for this transaction id? Yes or no, never the id.",
  })
  authenticatedForTransaction(
    @Arg("registrantId", () => ID) registrantId: string,
    @Arg("transactionId") transactionId: string,
    @Arg("partnerId", () => ID, { nullable: true }) partnerId: string | null,
    @Arg("withinSeconds", () => Int, { defaultValue: 900 }) withinSeconds: number,
    @Ctx() ctx: IdentityContext,
  ) {
    return authenticatedForTransaction(ctx.em, ctx.loaders.rt.now(), { registrantId, transactionId, partnerId, withinSeconds });
  }

  @Query(() => String, { description: "JWKS (JSON) of the key that signs kycExchange JWTs." })
  async identitySigningKeys(@Ctx() ctx: IdentityContext): Promise<string> {
    const key = await ctx.loaders.rt.signing();
    return JSON.stringify({ keys: [key.publicJwk] });
  }
}
