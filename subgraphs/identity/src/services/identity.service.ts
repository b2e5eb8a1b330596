/** Identities: issuing a UIN, status changes, reading sealed data, resolving a presented UIN/VID. */
import type { EntityManager } from "@mikro-orm/core";
import { audit, badInput, notFound, userError, type AuditActor } from "@g2p/kit";
import { type Demographics } from "../domain/demographics";
import { checkIndividualId, generateUin, type IdType } from "../domain/ids";
import { mosipError } from "../domain/errors";
import { Identity, IdentityStatus } from "../entities/identity.entity";
import { RegistrantIdentity, VerificationMethod, VerificationStatus } from "../entities/registrant-identity.entity";
import { Vid, VidStatus } from "../entities/vid.entity";
import type { IdentityRuntime } from "../runtime";
import { identityBy, vidByHash } from "./fast-path";

export function validateDemographics(d: Demographics): Demographics {
  if (!d.names?.length || d.names.some((n) => !n.value?.trim() || !n.language?.trim())) throw badInput("at least one name, each with language and value", "demographics.names");
  if (d.dateOfBirth != null && !/^\d{4}-\d{2}-\d{2}$/.test(d.dateOfBirth)) throw badInput("dateOfBirth must be YYYY-MM-DD", "demographics.dateOfBirth");
  if (d.email != null && !/^[^@\s]+@[^@\s]+$/.test(d.email)) throw badInput("email is not valid", "demographics.email");
  if (d.phone != null && d.phone.replace(/\D/g, "").length < 6) throw badInput("phone is not valid", "demographics.phone");
  return {
    names: d.names.map((n) => ({ language: n.language.trim(), value: n.value.trim() })),
    dateOfBirth: d.dateOfBirth ?? null,
    gender: d.gender ?? null,
    phone: d.phone ?? null,
    email: d.email ?? null,
    address: d.address?.map((a) => ({ language: a.language, value: a.value })) ?? null,
  };
}

/**
 * Builds a new identity with a fresh UIN (not yet persisted). A UIN that collides with an existing
 * hash is discarded and another drawn, as MOSIP's generator does.
 */
export async function newIdentity(em: EntityManager, rt: IdentityRuntime, demographics: Demographics, biometricReferenceId: string | null = null): Promise<{ identity: Identity; uin: string }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const uin = generateUin();
    const uinHash = rt.crypto.hash("UIN", uin);
    if ((await em.count(Identity, { uinHash })) > 0) continue;
    const identity = em.create(Identity, {
      uinHash,
      uinSealed: rt.crypto.seal(uin),
      personToken: rt.crypto.personToken(uin),
      demographicsSealed: rt.crypto.seal(JSON.stringify(demographics)),
      biometricReferenceId,
    });
    return { identity, uin };
  }
  throw new Error("UIN pool exhausted: 5 collisions in a row");
}

/** Links a registrant to an identity (one identity per registrant). */
export function linkRegistrant(em: EntityManager, registrantId: string, identityId: string, method: VerificationMethod, now: Date): RegistrantIdentity {
  return em.create(RegistrantIdentity, { registrantId, identity: identityId, status: VerificationStatus.VERIFIED, method, verifiedAt: now });
}

/** Issues an identity directly (no biometric dedup): for registrars and tests; enrollment dedups. */
export async function createIdentity(
  em: EntityManager,
  actor: AuditActor,
  rt: IdentityRuntime,
  input: { registrantId?: string | null; demographics?: Demographics | null },
): Promise<Identity> {
  const demographics = input.demographics ? validateDemographics(input.demographics) : { names: [] };
  if (input.registrantId && (await em.count(RegistrantIdentity, { registrantId: input.registrantId })) > 0) {
    throw userError("CONFLICT", `Registrant ${input.registrantId} already has an identity`, { field: "registrantId" });
  }
  return em.transactional(async (tx) => {
    const { identity } = await newIdentity(tx, rt, demographics);
    if (input.registrantId) linkRegistrant(tx, input.registrantId, identity.id, VerificationMethod.ENROLLMENT, rt.now());
    audit(tx, actor, { action: "identity.create", entityType: "Identity", entityId: identity.id, changes: { registrantId: input.registrantId ?? null, uin: "[issued]" } });
    return identity;
  });
}

/** ACTIVATED / BLOCKED / DEACTIVATED; deactivating a UIN deactivates its active VIDs too (IDR v2). */
export async function setIdentityStatus(em: EntityManager, actor: AuditActor, id: string, status: IdentityStatus): Promise<Identity> {
  const identity = await em.findOne(Identity, id);
  if (!identity) throw notFound("Identity", id);
  const from = identity.status;
  if (from === status) return identity;
  await em.transactional(async (tx) => {
    identity.status = status;
    tx.persist(identity);
    let vids = 0;
    if (status === IdentityStatus.DEACTIVATED) {
      vids = await tx.nativeUpdate(Vid, { identityId: id, status: VidStatus.ACTIVE }, { status: VidStatus.DEACTIVATED });
    } else if (from === IdentityStatus.DEACTIVATED) {
      vids = await tx.nativeUpdate(Vid, { identityId: id, status: VidStatus.DEACTIVATED }, { status: VidStatus.ACTIVE });
    }
    audit(tx, actor, { action: "identity.status", entityType: "Identity", entityId: id, changes: { status: { from, to: status }, vidsChanged: vids } });
  });
  return identity;
}

export function demographicsOf(rt: IdentityRuntime, identity: Identity): Demographics {
  return JSON.parse(rt.crypto.open(identity.demographicsSealed)) as Demographics;
}

export interface Resolved {
  identity: Identity;
  idType: IdType;
  vid: Vid | null;
}

/**
 * IDA's id checks: length and checksum before any lookup, then existence, then the state of the VID
 * and of the UIN behind it. Errors never echo the id. Records come back read-only (fast path).
 */
export async function resolveIndividual(em: EntityManager, rt: IdentityRuntime, individualId: string, declared?: IdType | null): Promise<Resolved> {
  const checked = checkIndividualId(individualId, declared);
  if ("code" in checked) throw mosipError(checked.code as never);
  if (checked.type === "UIN") {
    const identity = await rt.shared.identityByUinHash.submit(em, rt.crypto.hash("UIN", individualId));
    if (!identity) throw mosipError("IDA-MLC-002");
    if (identity.status === IdentityStatus.DEACTIVATED) throw mosipError("IDA-MLC-003");
    if (identity.status === IdentityStatus.BLOCKED) throw mosipError("IDA-MLC-022");
    return { identity, idType: "UIN", vid: null };
  }
  const vid = await vidByHash(em, rt.crypto.hash("VID", individualId));
  if (!vid) throw mosipError("IDA-MLC-004");
  const identity = await identityBy(em, "id", vid.identityId);
  if (!identity) throw new Error(`VID ${vid.id} points to a missing identity`);
  if (identity.status === IdentityStatus.DEACTIVATED) throw mosipError("IDA-MLC-010");
  if (identity.status === IdentityStatus.BLOCKED) throw mosipError("IDA-MLC-022");
  if (vid.status === VidStatus.EXPIRED || (vid.status === VidStatus.ACTIVE && vid.expiresAt && vid.expiresAt.getTime() <= rt.now().getTime())) {
    throw mosipError("IDA-MLC-005");
  }
  if (vid.status !== VidStatus.ACTIVE) throw mosipError("IDA-MLC-023");
  return { identity, idType: "VID", vid };
}
