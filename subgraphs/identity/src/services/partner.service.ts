/** Auth partners and policies: onboarding, status, and the credential checks of every auth call. */
import type { EntityManager } from "@mikro-orm/core";
import { audit, badInput, notFound, userError, type AuditActor } from "@g2p/kit";
import { randomSecret } from "../domain/crypto";
import { KYC_ATTRIBUTES } from "../domain/demographics";
import { mosipError } from "../domain/errors";
import { ActiveStatus, AuthPartner, AuthPolicy, AuthTokenType, type AuthType, type AllowedAuthType } from "../entities/partner.entity";
import type { IdentityRuntime } from "../runtime";

export interface NewPolicy {
  name: string;
  authTokenType: AuthTokenType;
  allowedAuthTypes: AllowedAuthType[];
  allowedKycAttributes: string[];
}

export async function createPolicy(em: EntityManager, actor: AuditActor, input: NewPolicy): Promise<AuthPolicy> {
  if (!input.name.trim()) throw badInput("name is required", "name");
  const unknown = input.allowedKycAttributes.filter((a) => !(KYC_ATTRIBUTES as readonly string[]).includes(a));
  if (unknown.length) throw badInput(`unknown KYC attributes: ${unknown.join(", ")} (known: ${KYC_ATTRIBUTES.join(", ")})`, "allowedKycAttributes");
  const types = input.allowedAuthTypes.map((a) => a.authType);
  if (new Set(types).size !== types.length) throw badInput("an auth type is listed twice", "allowedAuthTypes");
  return em.transactional(async (tx) => {
    const policy = tx.create(AuthPolicy, {
      name: input.name.trim(),
      authTokenType: input.authTokenType,
      allowedAuthTypes: input.allowedAuthTypes.map((a) => ({ authType: a.authType, mandatory: a.mandatory })),
      allowedKycAttributes: [...new Set(input.allowedKycAttributes)],
    });
    audit(tx, actor, { action: "auth_policy.create", entityType: "AuthPolicy", entityId: policy.id, changes: { ...input } });
    return policy;
  });
}

export interface NewPartner {
  id: string;
  name: string;
  policyId: string;
  licenseKeyExpiresAt?: Date | null;
}

/** Creates a partner; its API key and MISP licence key are returned once and stored as hashes. */
export async function createPartner(
  em: EntityManager,
  actor: AuditActor,
  rt: IdentityRuntime,
  input: NewPartner,
): Promise<{ partner: AuthPartner; apiKey: string; licenseKey: string }> {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(input.id)) throw badInput("partner id: 1 to 100 of letters, digits, . _ -", "id");
  if (!(await em.findOne(AuthPolicy, input.policyId))) throw notFound("AuthPolicy", input.policyId);
  if (await em.findOne(AuthPartner, input.id)) throw userError("CONFLICT", `Partner ${input.id} already exists`, { field: "id" });
  const apiKey = randomSecret(24);
  const licenseKey = randomSecret(12); // 16 characters, as a MISP licence key
  const partner = await em.transactional(async (tx) => {
    const p = tx.create(AuthPartner, {
      id: input.id,
      name: input.name,
      policyId: input.policyId,
      apiKeyHash: rt.crypto.hash("APIKEY", apiKey),
      licenseKeyHash: rt.crypto.hash("LICENSE", licenseKey),
      licenseKeyExpiresAt: input.licenseKeyExpiresAt ?? null,
    });
    audit(tx, actor, { action: "auth_partner.create", entityType: "AuthPartner", entityId: p.id, changes: { name: input.name, policyId: input.policyId } });
    return p;
  });
  return { partner, apiKey, licenseKey };
}

export type CredentialField = "status" | "apiKeyStatus" | "licenseKeyStatus";

export async function setPartnerStatus(
  em: EntityManager,
  actor: AuditActor,
  rt: IdentityRuntime,
  id: string,
  field: CredentialField,
  status: ActiveStatus,
): Promise<AuthPartner> {
  const partner = await em.findOne(AuthPartner, id);
  if (!partner) throw notFound("AuthPartner", id);
  const from = partner[field];
  await em.transactional(async (tx) => {
    partner[field] = status;
    tx.persist(partner);
    audit(tx, actor, { action: "auth_partner.status", entityType: "AuthPartner", entityId: id, changes: { [field]: { from, to: status } } });
  });
  rt.partnerCache.delete(id);
  return partner;
}

export async function setPolicyStatus(em: EntityManager, actor: AuditActor, rt: IdentityRuntime, id: string, status: ActiveStatus): Promise<AuthPolicy> {
  const policy = await em.findOne(AuthPolicy, id);
  if (!policy) throw notFound("AuthPolicy", id);
  const from = policy.status;
  await em.transactional(async (tx) => {
    policy.status = status;
    tx.persist(policy);
    audit(tx, actor, { action: "auth_policy.status", entityType: "AuthPolicy", entityId: id, changes: { status: { from, to: status } } });
  });
  rt.partnerCache.clear();
  return policy;
}

export interface PartnerCredentials {
  apiKey: string;
  licenseKey: string;
}

export interface ActivePartner {
  partner: AuthPartner;
  policy: AuthPolicy | null;
}

/** Partner and policy, cached for a few seconds (the auth path must not read them every call). */
export async function loadPartner(em: EntityManager, rt: IdentityRuntime, partnerId: string): Promise<ActivePartner | null> {
  const hit = rt.partnerCache.get(partnerId);
  if (hit && Date.now() - hit.at < rt.config.partnerCacheSeconds * 1000) return hit.value as ActivePartner | null;
  const partner = await em.findOne(AuthPartner, partnerId, { disableIdentityMap: true });
  const policy = partner ? await em.findOne(AuthPolicy, partner.policyId, { disableIdentityMap: true }) : null;
  const value = partner ? { partner, policy } : null;
  rt.partnerCache.set(partnerId, { at: Date.now(), value });
  return value;
}

/**
 * IDA's partner checks, in its order: partner known and active, licence key valid / not blocked /
 * not expired, API key valid and mapped, policy present and active.
 */
export async function checkPartner(
  em: EntityManager,
  rt: IdentityRuntime,
  partnerId: string | null,
  credentials: PartnerCredentials,
): Promise<{ partner: AuthPartner; policy: AuthPolicy }> {
  if (!partnerId) throw mosipError("IDA-MPA-009", "the caller's token has no partner_id");
  const found = await loadPartner(em, rt, partnerId);
  if (!found) throw mosipError("IDA-MPA-009");
  const { partner, policy } = found;
  if (partner.status !== ActiveStatus.ACTIVE) throw mosipError("IDA-MPA-012");
  if (!rt.crypto.sameHash(partner.licenseKeyHash, rt.crypto.hash("LICENSE", credentials.licenseKey))) throw mosipError("IDA-MPA-007");
  if (partner.licenseKeyStatus === ActiveStatus.BLOCKED) throw mosipError("IDA-MPA-017");
  if (partner.licenseKeyStatus !== ActiveStatus.ACTIVE) throw mosipError("IDA-MPA-007");
  if (partner.licenseKeyExpiresAt && partner.licenseKeyExpiresAt.getTime() <= rt.now().getTime()) throw mosipError("IDA-MPA-008");
  if (!rt.crypto.sameHash(partner.apiKeyHash, rt.crypto.hash("APIKEY", credentials.apiKey)) || partner.apiKeyStatus !== ActiveStatus.ACTIVE) {
    throw mosipError("IDA-MPA-010");
  }
  if (!policy) throw mosipError("IDA-MPA-014");
  if (policy.status !== ActiveStatus.ACTIVE) throw mosipError("IDA-MPA-019");
  return { partner, policy };
}

export const allows = (policy: AuthPolicy, type: AuthType) => policy.allowedAuthTypes.some((a) => a.authType === type);

/** The token a partner receives for a person, per its policy's authTokenType. */
export function tokenFor(rt: IdentityRuntime, personToken: string, partnerId: string, policy: Pick<AuthPolicy, "id" | "authTokenType"> | null): string {
  switch (policy?.authTokenType ?? AuthTokenType.PARTNER) {
    case AuthTokenType.RANDOM:
      return rt.crypto.token(`${personToken}:${randomSecret(16)}`, partnerId);
    case AuthTokenType.POLICY:
      return rt.crypto.token(personToken, `policy:${policy!.id}`);
    default:
      return rt.crypto.token(personToken, partnerId);
  }
}
