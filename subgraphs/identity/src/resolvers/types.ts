/** GraphQL input and output shapes of the identity subgraph (entities are their own types). */
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { AuthType, AuthTokenType } from "../entities/partner.entity";
import { Modality } from "../entities/enrollment.entities";

export enum IdTypeEnum {
  UIN = "UIN",
  VID = "VID",
}
registerEnumType(IdTypeEnum, { name: "IndividualIdType" });

export enum OtpChannel {
  PHONE = "PHONE",
  EMAIL = "EMAIL",
}
registerEnumType(OtpChannel, { name: "OtpChannel" });

@ObjectType("IdLocalizedText")
@InputType("IdLocalizedTextInput")
export class LocalizedText {
  @Field({ description: "ISO 639-3 language code, e.g. eng, fra, swa." }) language!: string;
  @Field() value!: string;
}

@InputType("IdentityDemographicsInput")
export class DemographicsInput {
  @Field(() => [LocalizedText], { nullable: true, description: "Full name, one per language." }) names?: LocalizedText[];
  @Field({ nullable: true, description: "YYYY-MM-DD" }) dateOfBirth?: string;
  @Field({ nullable: true }) gender?: string;
  @Field({ nullable: true }) phone?: string;
  @Field({ nullable: true }) email?: string;
  @Field(() => [LocalizedText], { nullable: true }) address?: LocalizedText[];
}

@ObjectType("IdentityDemographics", { description: "Personal data: needs personal_data:read." })
export class DemographicsView {
  @Field(() => [LocalizedText]) names!: LocalizedText[];
  @Field(() => String, { nullable: true }) dateOfBirth!: string | null;
  @Field(() => String, { nullable: true }) gender!: string | null;
  @Field(() => String, { nullable: true }) phone!: string | null;
  @Field(() => String, { nullable: true }) email!: string | null;
  @Field(() => [LocalizedText], { nullable: true }) address!: LocalizedText[] | null;
}

@InputType("BiometricSampleInput")
export class BiometricInput {
  @Field(() => Modality) modality!: Modality;
  @Field({ nullable: true, description: "e.g. Left IndexFinger, Right, Face" }) subType?: string;
  @Field(() => [Float], { description: "Simulated template: a feature vector." }) template!: number[];
}

@InputType("AuthPartnerCredentialsInput")
export class PartnerCredentialsInput {
  @Field({ description: "The partner's API key." }) apiKey!: string;
  @Field({ description: "The MISP licence key." }) licenseKey!: string;
}

@InputType("IdAuthInput")
export class AuthInput {
  @Field({ description: "UIN or VID (a partner-specific token is never accepted)." }) individualId!: string;
  @Field(() => IdTypeEnum, { nullable: true, description: "Inferred from the length when omitted." }) individualIdType?: IdTypeEnum;
  @Field({ description: "The partner's transaction id (letters, digits, _ -; at most 64)." }) transactionId!: string;
  @Field({ description: "Must be within ±30 s of the server clock (IDA-MLC-001)." }) requestTime!: Date;
  @Field({ description: "The individual's consent (IDA-MLC-012 when false)." }) consentObtained!: boolean;
  @Field(() => PartnerCredentialsInput) credentials!: PartnerCredentialsInput;
  @Field(() => DemographicsInput, { nullable: true }) demographics?: DemographicsInput;
  @Field({ nullable: true }) otp?: string;
  @Field(() => [BiometricInput], { nullable: true }) biometrics?: BiometricInput[];
}

@InputType()
export class EkycInput extends AuthInput {
  @Field(() => [String], { description: "Attributes the individual consented to share." }) consentedAttributes!: string[];
}

@InputType()
export class OtpRequestInput {
  @Field() individualId!: string;
  @Field(() => IdTypeEnum, { nullable: true }) individualIdType?: IdTypeEnum;
  @Field() transactionId!: string;
  @Field() requestTime!: Date;
  @Field(() => [OtpChannel]) channels!: OtpChannel[];
  @Field(() => PartnerCredentialsInput) credentials!: PartnerCredentialsInput;
}

@InputType()
export class KycExchangeInput {
  @Field() kycToken!: string;
  @Field() transactionId!: string;
  @Field() individualId!: string;
  @Field(() => [String], { description: "Claims the individual accepted (KYC attribute or OIDC claim names)." }) acceptedClaims!: string[];
  @Field(() => PartnerCredentialsInput) credentials!: PartnerCredentialsInput;
}

@ObjectType("IdAuthResult")
export class AuthResult {
  @Field() authStatus!: boolean;
  @Field({ description: "The partner's token for this person (PSUT), per its policy's token type." }) authToken!: string;
  @Field() transactionId!: string;
}

@ObjectType()
export class OtpRequestResult {
  @Field(() => String, { nullable: true }) maskedMobile!: string | null;
  @Field(() => String, { nullable: true }) maskedEmail!: string | null;
}

@ObjectType()
export class KycAttribute {
  @Field() name!: string;
  @Field(() => String, { nullable: true }) language!: string | null;
  @Field() value!: string;
}

@ObjectType()
export class EkycResult {
  @Field() kycStatus!: boolean;
  @Field() authToken!: string;
  @Field(() => [KycAttribute], { description: "Exactly the policy's allowed attributes ∩ the consented ones." }) attributes!: KycAttribute[];
}

@ObjectType()
export class KycAuthResult {
  @Field() kycStatus!: boolean;
  @Field({ description: "Single use, short-lived; exchange it with kycExchange." }) kycToken!: string;
  @Field() authToken!: string;
}

@ObjectType()
export class KycExchangeResult {
  @Field({ description: "ES256-signed JWT: sub = the partner's token, aud = partner id, only released claims." }) jwt!: string;
  @Field(() => [String]) releasedAttributes!: string[];
}

@ObjectType()
export class AuthLockState {
  @Field(() => AuthType) authType!: AuthType;
  @Field({ description: "Effective now: a timed unlock in force reads false." }) locked!: boolean;
  @Field(() => Date, { nullable: true }) unlockUntil!: Date | null;
}

@InputType("PolicyAuthTypeInput")
export class AllowedAuthTypeInput {
  @Field(() => AuthType) authType!: AuthType;
  @Field({ defaultValue: false }) mandatory!: boolean;
}

@InputType()
export class CreateAuthPolicyInput {
  @Field() name!: string;
  @Field(() => AuthTokenType) authTokenType!: AuthTokenType;
  @Field(() => [AllowedAuthTypeInput]) allowedAuthTypes!: AllowedAuthTypeInput[];
  @Field(() => [String]) allowedKycAttributes!: string[];
}

@InputType()
export class CreateAuthPartnerInput {
  @Field(() => ID, { description: "Becomes the partner_id claim of its tokens." }) id!: string;
  @Field() name!: string;
  @Field(() => ID) policyId!: string;
  @Field({ nullable: true }) licenseKeyExpiresAt?: Date;
}

@InputType()
export class EnrollIdentityInput {
  @Field(() => ID, { nullable: true }) registrantId?: string;
  @Field(() => DemographicsInput) demographics!: DemographicsInput;
  @Field(() => [BiometricInput]) biometrics!: BiometricInput[];
}

@InputType()
export class TokenSeedRecordInput {
  @Field(() => ID) registrantId!: string;
  @Field() individualId!: string;
  @Field(() => DemographicsInput) demographics!: DemographicsInput;
}

@InputType()
export class SeedTokensInput {
  @Field(() => ID, { nullable: true, description: "The partner whose tokens to store; the registry's own when omitted." }) partnerId?: string;
  @Field(() => [TokenSeedRecordInput]) records!: TokenSeedRecordInput[];
}

@ObjectType()
export class TokenSeedingJob {
  @Field(() => ID) id!: string;
  @Field() status!: string;
  @Field(() => Int) totalChunks!: number;
  @Field(() => Int) doneChunks!: number;
  @Field(() => Int) failedChunks!: number;
  @Field(() => String, { nullable: true }) error!: string | null;
}
