/**
 * Authentication in the manner of MOSIP IDA: partner checks, request-time window, consent, policy,
 * id validation and resolution, auth-type locks, then the factors (demographic, OTP, biometric).
 * Every attempt that names a partner is recorded in auth_transaction, failures included.
 */
import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { audit, type AuditActor } from "@g2p/kit";
import { randomSecret } from "../domain/crypto";
import {
  cosine,
  demographicMismatch,
  hasDemographics,
  kycValues,
  maskEmail,
  maskPhone,
  normalizeVector,
  OIDC_CLAIM_OF,
  type Demographics,
  type KycAttributeName,
  type KycValue,
} from "../domain/demographics";
import { mosipCodeOf, mosipError } from "../domain/errors";
import { newOtpCode } from "../domain/otp";
import type { IdType } from "../domain/ids";
import { AuthTransaction, KycToken, KycTokenStatus, Otp, OtpStatus, OutboxMessage, RequestType } from "../entities/auth.entities";
import { AbisTemplate, Modality } from "../entities/enrollment.entities";
import { Identity } from "../entities/identity.entity";
import { AuthType, type AuthPartner, type AuthPolicy } from "../entities/partner.entity";
import { RegistrantIdentity } from "../entities/registrant-identity.entity";
import type { IdentityRuntime } from "../runtime";
import { demographicsOf, resolveIndividual, type Resolved } from "./identity.service";
import { assertUnlocked } from "./lock.service";
import { allows, checkPartner, tokenFor, type PartnerCredentials } from "./partner.service";
import { countVidUse } from "./vid.service";
import { SignJWT } from "jose";

export interface Caller extends AuditActor {
  em: EntityManager;
}

export interface BiometricSample {
  modality: Modality;
  subType?: string | null;
  template: number[];
}

export interface AuthRequest {
  individualId: string;
  individualIdType?: IdType | null;
  transactionId: string;
  requestTime: Date;
  consentObtained: boolean;
  credentials: PartnerCredentials;
  demographics?: Partial<Demographics> | null;
  otp?: string | null;
  biometrics?: BiometricSample[] | null;
}

export type AuthPurpose = "AUTH" | "EKYC" | "KYC_AUTH";

export interface AuthOutcome {
  resolved: Resolved;
  partner: AuthPartner;
  policy: AuthPolicy;
  token: string;
  transactionId: string;
}

const BIO_TYPE: Record<Modality, AuthType> = { FINGER: AuthType.BIO_FINGER, IRIS: AuthType.BIO_IRIS, FACE: AuthType.BIO_FACE };

function checkEnvelope(rt: IdentityRuntime, req: { transactionId: string; requestTime: Date }): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(req.transactionId)) throw mosipError("IDA-MLC-009", "transactionId must be 1 to 64 letters, digits, _ or -");
  const skew = Math.abs(req.requestTime.getTime() - rt.now().getTime());
  if (!Number.isFinite(skew) || skew > rt.config.requestTimeWindowSeconds * 1000) throw mosipError("IDA-MLC-001");
}

/** The auth types the request presents (inferred from which blocks are present, as IDA does). */
export function factorsOf(req: Pick<AuthRequest, "demographics" | "otp" | "biometrics">): AuthType[] {
  const out: AuthType[] = [];
  if (hasDemographics(req.demographics)) out.push(AuthType.DEMO);
  if (req.otp) out.push(AuthType.OTP);
  for (const m of new Set((req.biometrics ?? []).map((b) => b.modality))) out.push(BIO_TYPE[m]);
  return out;
}

function requestTypeOf(purpose: AuthPurpose, factors: AuthType[]): RequestType {
  if (purpose === "EKYC") return RequestType.EKYC_AUTH;
  if (purpose === "KYC_AUTH") return RequestType.KYC_AUTH;
  if (factors.includes(AuthType.OTP)) return RequestType.OTP_AUTH;
  if (factors.some((f) => f.startsWith("BIO_"))) return RequestType.BIO_AUTH;
  return RequestType.DEMO_AUTH;
}

function checkPolicy(policy: AuthPolicy, purpose: AuthPurpose, factors: AuthType[]): void {
  if (purpose === "EKYC" && !allows(policy, AuthType.EKYC)) throw mosipError("IDA-MPA-013");
  if (purpose === "KYC_AUTH" && !allows(policy, AuthType.KYC_AUTH)) throw mosipError("IDA-MPA-025");
  if (factors.length === 0) throw mosipError("IDA-MLC-008");
  for (const f of factors) {
    if (!allows(policy, f)) throw mosipError(f === AuthType.OTP ? "IDA-MPA-005" : "IDA-MPA-006", f);
  }
  const factorTypes = new Set<AuthType>([AuthType.DEMO, AuthType.OTP, AuthType.BIO_FINGER, AuthType.BIO_IRIS, AuthType.BIO_FACE]);
  const missing = policy.allowedAuthTypes.filter((a) => a.mandatory && factorTypes.has(a.authType) && !factors.includes(a.authType));
  if (missing.length) throw mosipError("IDA-MPA-015", missing.map((m) => m.authType).join(", "));
}

function checkBiometricShape(samples: BiometricSample[]): void {
  const by = (m: Modality) => samples.filter((s) => s.modality === m);
  const dup = (list: BiometricSample[]) => new Set(list.map((s) => s.subType ?? "")).size !== list.length;
  const fingers = by(Modality.FINGER);
  const irises = by(Modality.IRIS);
  if (fingers.length > 10) throw mosipError("IDA-BIA-003");
  if (dup(fingers)) throw mosipError("IDA-BIA-002");
  if (irises.length > 2) throw mosipError("IDA-BIA-008");
  if (dup(irises)) throw mosipError("IDA-BIA-007");
  if (by(Modality.FACE).length > 1) throw mosipError("IDA-BIA-009");
}

async function verifyBiometrics(em: EntityManager, rt: IdentityRuntime, identity: Identity, samples: BiometricSample[]): Promise<void> {
  if (!identity.biometricReferenceId) throw mosipError("IDA-BIA-001");
  const gallery = await em.find(AbisTemplate, { referenceId: identity.biometricReferenceId });
  for (const s of samples) {
    let probe: number[];
    try {
      probe = normalizeVector(s.template);
    } catch {
      throw mosipError("IDA-MLC-009", "biometric template");
    }
    const candidates = gallery.filter((t) => t.modality === s.modality && (!s.subType || !t.subType || t.subType === s.subType));
    const best = Math.max(0, ...candidates.map((t) => cosine(probe, t.vector)));
    if (best < rt.config.dedupMatchThreshold) throw mosipError("IDA-BIA-001");
  }
}

/**
 * OTP validation, bound to (identity, partner, transactionId); single use; expiry; after
 * `otpMaxFailures` wrong codes the OTP is frozen and the person locked for OTP for a while.
 * Failure counters are committed before the error is raised.
 */
async function verifyOtp(caller: Caller, rt: IdentityRuntime, identity: Identity, partnerId: string, transactionId: string, code: string): Promise<void> {
  const em = caller.em;
  const now = rt.now();
  if (identity.otpFrozenUntil && identity.otpFrozenUntil.getTime() > now.getTime()) throw mosipError("IDA-OTA-007");
  const otp = await rt.shared.latestOtp.submit(em, identity.id);
  if (!otp) throw mosipError("IDA-OTA-012");
  if (otp.partnerId !== partnerId) throw mosipError("IDA-OTA-011");
  if (otp.transactionId !== transactionId) throw mosipError("IDA-OTA-005");
  if (otp.status === OtpStatus.FROZEN) throw mosipError("IDA-OTA-007");
  if (otp.status === OtpStatus.USED) throw mosipError("IDA-OTA-004", "this OTP was already used");
  if (otp.expiresAt.getTime() <= now.getTime()) throw mosipError("IDA-OTA-003");
  const ok = rt.crypto.sameHash(otp.codeHash, rt.crypto.hash("OTP", `${otp.id}:${code}`));
  if (ok) {
    // Conditional: two concurrent uses of one code cannot both pass.
    if (!(await rt.shared.useOtp.submit(em, otp.id))) throw mosipError("IDA-OTA-004", "this OTP was already used");
    return;
  }
  const failures = otp.failures + 1;
  const freeze = failures >= rt.config.otpMaxFailures;
  await em.transactional(async (tx) => {
    await tx.nativeUpdate(Otp, { id: otp.id }, { failures, status: freeze ? OtpStatus.FROZEN : OtpStatus.ACTIVE });
    if (freeze) {
      const until = new Date(now.getTime() + rt.config.otpFreezeSeconds * 1000);
      await tx.nativeUpdate(Identity, { id: identity.id }, { otpFrozenUntil: until });
      audit(tx, caller, { action: "identity.otp_frozen", entityType: "Identity", entityId: identity.id, changes: { until: until.toISOString(), failures } });
    }
  });
  throw mosipError(freeze ? "IDA-OTA-007" : "IDA-OTA-004");
}

async function record(
  em: EntityManager,
  rt: IdentityRuntime,
  row: { identityId: string | null; partnerId: string; transactionId: string; requestType: RequestType; idType: string; success: boolean; errorCode: string | null; token: string | null },
): Promise<void> {
  await rt.shared.recordAuthTransaction.submit(em, { id: randomUUID(), ...row, createdAt: rt.now() });
}

/**
 * One authentication. Returns the outcome or throws a MOSIP-coded error; either way the attempt is in
 * auth_transaction once the partner is known.
 */
export async function authenticate(caller: Caller, rt: IdentityRuntime, partnerId: string | null, req: AuthRequest, purpose: AuthPurpose = "AUTH"): Promise<AuthOutcome> {
  const em = caller.em;
  const { partner, policy } = await checkPartner(em, rt, partnerId, req.credentials);
  const factors = factorsOf(req);
  let resolved: Resolved | null = null;
  const idType = req.individualIdType ?? (req.individualId.length === 16 ? "VID" : "UIN");
  try {
    checkEnvelope(rt, req);
    if (!req.consentObtained) throw mosipError("IDA-MLC-012");
    checkPolicy(policy, purpose, factors);
    if (req.biometrics?.length) checkBiometricShape(req.biometrics);
    resolved = await resolveIndividual(em, rt, req.individualId, req.individualIdType);
    const { identity } = resolved;
    await assertUnlocked(em, identity, factors, rt.now());
    if (factors.includes(AuthType.DEMO)) {
      if (demographicMismatch(demographicsOf(rt, identity), req.demographics!) !== null) throw mosipError("IDA-DEA-001");
    }
    if (req.biometrics?.length) await verifyBiometrics(em, rt, identity, req.biometrics);
    if (req.otp) await verifyOtp(caller, rt, identity, partner.id, req.transactionId, req.otp);
    if (resolved.vid && !(await countVidUse(em, resolved.vid))) throw mosipError("IDA-MLC-023");
    const token = tokenFor(rt, identity.personToken, partner.id, policy);
    await record(em, rt, {
      identityId: identity.id,
      partnerId: partner.id,
      transactionId: req.transactionId,
      requestType: requestTypeOf(purpose, factors),
      idType: resolved.idType,
      success: true,
      errorCode: null,
      token,
    });
    return { resolved, partner, policy, token, transactionId: req.transactionId };
  } catch (err) {
    await record(em.fork(), rt, {
      identityId: resolved?.identity.id ?? null,
      partnerId: partner.id,
      transactionId: /^[A-Za-z0-9_-]{1,64}$/.test(req.transactionId) ? req.transactionId : "invalid",
      requestType: requestTypeOf(purpose, factors),
      idType,
      success: false,
      errorCode: mosipCodeOf(err) ?? "UNKNOWN",
      token: null,
    }).catch(() => undefined);
    throw err;
  }
}

export interface OtpRequest {
  individualId: string;
  individualIdType?: IdType | null;
  transactionId: string;
  requestTime: Date;
  channels: ("PHONE" | "EMAIL")[];
  credentials: PartnerCredentials;
}

/**
 * Generates a 6-digit OTP (otplib HOTP, SHA-512, on a fresh random secret), stores its hash, and
 * queues the message in the outbox in the same transaction. The code itself is never returned.
 */
export async function requestOtp(caller: Caller, rt: IdentityRuntime, partnerId: string | null, req: OtpRequest): Promise<{ maskedMobile: string | null; maskedEmail: string | null }> {
  const em = caller.em;
  const { partner, policy } = await checkPartner(em, rt, partnerId, req.credentials);
  let resolved: Resolved | null = null;
  try {
    checkEnvelope(rt, req);
    if (!allows(policy, AuthType.OTP)) throw mosipError("IDA-MPA-005");
    if (!req.channels.length) throw mosipError("IDA-MLC-006", "otpChannel");
    resolved = await resolveIndividual(em, rt, req.individualId, req.individualIdType);
    const { identity } = resolved;
    const now = rt.now();
    if (identity.otpFrozenUntil && identity.otpFrozenUntil.getTime() > now.getTime()) throw mosipError("IDA-OTA-006");
    await assertUnlocked(em, identity, [AuthType.OTP], now);
    const recent = await em.count(Otp, { identityId: identity.id, createdAt: { $gt: new Date(now.getTime() - 60_000) } });
    if (recent >= rt.config.otpFloodLimit) throw mosipError("IDA-OTA-001");
    const demo = demographicsOf(rt, identity);
    const targets = req.channels.map((c) => ({ channel: c, to: c === "PHONE" ? demo.phone : demo.email }));
    if (targets.some((t) => !t.to)) throw mosipError("IDA-MLC-014");
    const code = newOtpCode();
    await em.transactional(async (tx) => {
      const otp = tx.create(Otp, {
        identityId: identity.id,
        partnerId: partner.id,
        transactionId: req.transactionId,
        codeHash: "",
        expiresAt: new Date(now.getTime() + rt.config.otpTtlSeconds * 1000),
        createdAt: now,
      });
      otp.codeHash = rt.crypto.hash("OTP", `${otp.id}:${code}`);
      for (const t of targets) {
        tx.create(OutboxMessage, {
          channel: t.channel,
          payloadSealed: rt.crypto.seal(JSON.stringify({ to: t.to, text: `Your OTP is ${code}. It expires in ${Math.round(rt.config.otpTtlSeconds / 60)} minutes. Transaction ${req.transactionId}.` })),
          createdAt: now,
          nextAttemptAt: now,
        });
      }
    });
    rt.outbox.kick(em);
    await record(em, rt, { identityId: identity.id, partnerId: partner.id, transactionId: req.transactionId, requestType: RequestType.OTP_REQUEST, idType: resolved.idType, success: true, errorCode: null, token: null });
    return {
      maskedMobile: req.channels.includes("PHONE") && demo.phone ? maskPhone(demo.phone) : null,
      maskedEmail: req.channels.includes("EMAIL") && demo.email ? maskEmail(demo.email) : null,
    };
  } catch (err) {
    await record(em.fork(), rt, {
      identityId: resolved?.identity.id ?? null,
      partnerId: partner.id,
      transactionId: /^[A-Za-z0-9_-]{1,64}$/.test(req.transactionId) ? req.transactionId : "invalid",
      requestType: RequestType.OTP_REQUEST,
      idType: req.individualIdType ?? (req.individualId.length === 16 ? "VID" : "UIN"),
      success: false,
      errorCode: mosipCodeOf(err) ?? "UNKNOWN",
      token: null,
    }).catch(() => undefined);
    throw err;
  }
}

/** eKYC: authenticate, then release exactly policy.allowedKycAttributes ∩ consented attributes. */
export async function ekyc(
  caller: Caller,
  rt: IdentityRuntime,
  partnerId: string | null,
  req: AuthRequest & { consentedAttributes: string[] },
): Promise<{ outcome: AuthOutcome; attributes: KycValue[] }> {
  const outcome = await authenticate(caller, rt, partnerId, req, "EKYC");
  const released = outcome.policy.allowedKycAttributes.filter((a) => req.consentedAttributes.includes(a));
  return { outcome, attributes: kycValues(demographicsOf(rt, outcome.resolved.identity), released) };
}

/** eSignet kyc-auth: authenticate and issue a single-use, short-lived kycToken. */
export async function kycAuth(caller: Caller, rt: IdentityRuntime, partnerId: string | null, req: AuthRequest): Promise<{ kycToken: string; authToken: string }> {
  const outcome = await authenticate(caller, rt, partnerId, req, "KYC_AUTH");
  const kycToken = randomSecret(32);
  await caller.em.insert(KycToken, {
    tokenHash: rt.crypto.hash("KYCTOKEN", kycToken),
    identityId: outcome.resolved.identity.id,
    partnerId: outcome.partner.id,
    transactionId: req.transactionId,
    individualIdHash: rt.crypto.hash("INDIVIDUAL", req.individualId),
    psut: outcome.token,
    status: KycTokenStatus.ACTIVE,
    expiresAt: new Date(rt.now().getTime() + rt.config.kycTokenTtlSeconds * 1000),
    createdAt: rt.now(),
  });
  return { kycToken, authToken: outcome.token };
}

export interface KycExchangeRequest {
  kycToken: string;
  transactionId: string;
  individualId: string;
  acceptedClaims: string[];
  credentials: PartnerCredentials;
}

/**
 * eSignet kyc-exchange: the kycToken is checked (unknown, expired, used, other partner, other
 * transaction, other person) and consumed once; the claims released are the policy's allowed KYC
 * attributes ∩ the accepted claims, in a JWT signed ES256 with `sub` = the partner's token.
 */
export async function kycExchange(caller: Caller, rt: IdentityRuntime, partnerId: string | null, req: KycExchangeRequest): Promise<{ jwt: string; claims: string[] }> {
  const em = caller.em;
  const { partner, policy } = await checkPartner(em, rt, partnerId, req.credentials);
  if (!allows(policy, AuthType.KYC_EXCHANGE)) throw mosipError("IDA-MPA-026");
  const row = await em.findOne(KycToken, { tokenHash: rt.crypto.hash("KYCTOKEN", req.kycToken) });
  if (!row) throw mosipError("IDA-KYE-001");
  if (row.partnerId !== partner.id) throw mosipError("IDA-KYE-004");
  if (row.status === KycTokenStatus.PROCESSED) throw mosipError("IDA-KYE-003");
  if (row.expiresAt.getTime() <= rt.now().getTime()) throw mosipError("IDA-KYE-002");
  if (row.transactionId !== req.transactionId) throw mosipError("IDA-KYE-005");
  if (row.individualIdHash !== rt.crypto.hash("INDIVIDUAL", req.individualId)) throw mosipError("IDA-KYE-007");
  const consumed = await em.nativeUpdate(KycToken, { tokenHash: row.tokenHash, status: KycTokenStatus.ACTIVE }, { status: KycTokenStatus.PROCESSED });
  if (consumed !== 1) throw mosipError("IDA-KYE-003");
  const identity = await em.findOneOrFail(Identity, row.identityId);
  const released = policy.allowedKycAttributes.filter((a) => req.acceptedClaims.includes(a) || req.acceptedClaims.includes(OIDC_CLAIM_OF[a as KycAttributeName]));
  const claims: Record<string, unknown> = {};
  for (const v of kycValues(demographicsOf(rt, identity), released)) {
    const claim = OIDC_CLAIM_OF[v.name];
    if (v.language) {
      claims[`${claim}#${v.language}`] = v.value;
      claims[claim] ??= v.value;
    } else {
      claims[claim] = v.value;
    }
  }
  const key = await rt.signing();
  const jwt = await new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: key.kid, typ: "JWT" })
    .setSubject(row.psut)
    .setAudience(partner.id)
    .setIssuer("g2p-identity")
    .setIssuedAt(Math.floor(rt.now().getTime() / 1000))
    .setExpirationTime(Math.floor(rt.now().getTime() / 1000) + 3600)
    .sign(key.privateKey);
  await record(em, rt, { identityId: identity.id, partnerId: partner.id, transactionId: req.transactionId, requestType: RequestType.KYC_EXCHANGE, idType: "UIN", success: true, errorCode: null, token: row.psut });
  return { jwt, claims: released };
}

/**
 * Presence for money: did this registrant authenticate successfully for this transaction id
 * (optionally at this partner, within a window)? Answers yes or no, never the id.
 */
export async function authenticatedForTransaction(
  em: EntityManager,
  now: Date,
  q: { registrantId: string; transactionId: string; partnerId?: string | null; withinSeconds: number },
): Promise<boolean> {
  const link = await em.findOne(RegistrantIdentity, { registrantId: q.registrantId }, { fields: ["identity"] });
  const identityId = link?.identity?.id;
  if (!identityId) return false;
  const count = await em.count(AuthTransaction, {
    identityId,
    transactionId: q.transactionId,
    success: true,
    requestType: { $in: [RequestType.DEMO_AUTH, RequestType.OTP_AUTH, RequestType.BIO_AUTH, RequestType.EKYC_AUTH, RequestType.KYC_AUTH] },
    createdAt: { $gte: new Date(now.getTime() - q.withinSeconds * 1000) },
    ...(q.partnerId ? { partnerId: q.partnerId } : {}),
  });
  return count > 0;
}
