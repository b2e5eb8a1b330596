/**
 * Enrollment with biometric dedup, in the manner of an ABIS: the applicant's templates are inserted
 * under a fresh referenceId, then identified against the gallery (1:N, cosine similarity). No
 * candidate: a UIN is issued. A candidate at or above the match threshold: DUPLICATE. A candidate
 * between the review and match thresholds: MANUAL_ADJUDICATION until someone decides.
 */
import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { audit, badInput, notFound, type AuditActor } from "@g2p/kit";
import { cosine, normalizeVector, templateHash, type Demographics } from "../domain/demographics";
import { mosipError } from "../domain/errors";
import { AbisTemplate, EnrollmentStatus, IdentityEnrollment, type DedupCandidate, type Modality } from "../entities/enrollment.entities";
import { Identity } from "../entities/identity.entity";
import { VerificationMethod } from "../entities/registrant-identity.entity";
import { RegistrantIdentity } from "../entities/registrant-identity.entity";
import type { IdentityRuntime } from "../runtime";
import type { BiometricSample } from "./auth.service";
import { linkRegistrant, newIdentity, validateDemographics } from "./identity.service";

/**
 * ABIS identify: best score per existing reference over the modalities both sides have. Scans the
 * gallery of those modalities (a real ABIS indexes; ours is a simulation sized for tests and demos).
 */
async function identify(em: EntityManager, referenceId: string, probes: { modality: string; vector: number[] }[], reviewThreshold: number) {
  const modalities = [...new Set(probes.map((p) => p.modality))];
  const gallery = await em.find(AbisTemplate, { modality: { $in: modalities }, referenceId: { $ne: referenceId } });
  const best = new Map<string, { score: number; modalities: Set<string> }>();
  for (const t of gallery) {
    for (const p of probes) {
      if (p.modality !== t.modality) continue;
      const score = cosine(p.vector, t.vector);
      if (score < reviewThreshold) continue;
      const cur = best.get(t.referenceId) ?? { score: 0, modalities: new Set<string>() };
      cur.score = Math.max(cur.score, score);
      cur.modalities.add(t.modality);
      best.set(t.referenceId, cur);
    }
  }
  return best;
}

export interface EnrollInput {
  registrantId?: string | null;
  demographics: Demographics;
  biometrics: BiometricSample[];
}

export async function enroll(em: EntityManager, actor: AuditActor, rt: IdentityRuntime, input: EnrollInput): Promise<IdentityEnrollment> {
  const demographics = validateDemographics(input.demographics);
  if (!input.biometrics.length) throw badInput("enrollment needs at least one biometric template", "biometrics");
  let probes: { modality: Modality; subType: string | null; vector: number[] }[];
  try {
    probes = input.biometrics.map((b) => ({ modality: b.modality, subType: b.subType ?? null, vector: normalizeVector(b.template) }));
  } catch {
    throw badInput("a biometric template is empty or all zeros", "biometrics");
  }
  if (input.registrantId && (await em.count(RegistrantIdentity, { registrantId: input.registrantId })) > 0) {
    throw badInput(`Registrant ${input.registrantId} already has an identity`, "registrantId");
  }
  const referenceId = randomUUID();
  return em.transactional(async (tx) => {
    // ABIS insert: templates under the referenceId only.
    for (const p of probes) tx.create(AbisTemplate, { referenceId, modality: p.modality, subType: p.subType, templateHash: templateHash(p.vector), vector: p.vector });
    await tx.flush();
    const matches = await identify(tx, referenceId, probes, rt.config.dedupReviewThreshold);
    const refs = [...matches.keys()];
    const owners = refs.length ? await tx.find(Identity, { biometricReferenceId: { $in: refs } }, { fields: ["id", "biometricReferenceId"] }) : [];
    const candidates: DedupCandidate[] = owners
      .map((o) => {
        const m = matches.get(o.biometricReferenceId!)!;
        return { identityId: o.id, score: Math.round(m.score * 10_000) / 10_000, modalities: [...m.modalities] as Modality[] };
      })
      .sort((a, b) => b.score - a.score);
    const duplicate = candidates.some((c) => c.score >= rt.config.dedupMatchThreshold);
    const status = duplicate ? EnrollmentStatus.DUPLICATE : candidates.length ? EnrollmentStatus.MANUAL_ADJUDICATION : EnrollmentStatus.ISSUED;
    const enrollment = tx.create(IdentityEnrollment, {
      status,
      registrantId: input.registrantId ?? null,
      referenceId,
      candidates,
      demographicsSealed: status === EnrollmentStatus.MANUAL_ADJUDICATION ? rt.crypto.seal(JSON.stringify(demographics)) : null,
    });
    if (status === EnrollmentStatus.ISSUED) {
      const { identity } = await newIdentity(tx, rt, demographics, referenceId);
      enrollment.identityId = identity.id;
      enrollment.decidedAt = rt.now();
      enrollment.decidedBy = "abis";
      if (input.registrantId) linkRegistrant(tx, input.registrantId, identity.id, VerificationMethod.ENROLLMENT, rt.now());
      audit(tx, actor, { action: "identity.create", entityType: "Identity", entityId: identity.id, changes: { enrollmentId: enrollment.id, registrantId: input.registrantId ?? null } });
    } else if (status === EnrollmentStatus.DUPLICATE) {
      // A duplicate's templates do not stay in the gallery.
      await tx.nativeDelete(AbisTemplate, { referenceId });
    }
    audit(tx, actor, { action: "enrollment.dedup", entityType: "IdentityEnrollment", entityId: enrollment.id, changes: { status, candidates: candidates.length } });
    return enrollment;
  });
}

/** Manual adjudication: ISSUE (not a duplicate after all) or REJECT (a duplicate). */
export async function adjudicate(em: EntityManager, actor: AuditActor, rt: IdentityRuntime, id: string, issue: boolean): Promise<IdentityEnrollment> {
  const enrollment = await em.findOne(IdentityEnrollment, id);
  if (!enrollment) throw notFound("IdentityEnrollment", id);
  if (enrollment.status !== EnrollmentStatus.MANUAL_ADJUDICATION) throw mosipError("IDR-IDC-007", `status is ${enrollment.status}`);
  return em.transactional(async (tx) => {
    if (issue) {
      const demographics = JSON.parse(rt.crypto.open(enrollment.demographicsSealed!)) as Demographics;
      const { identity } = await newIdentity(tx, rt, demographics, enrollment.referenceId);
      enrollment.identityId = identity.id;
      enrollment.status = EnrollmentStatus.ISSUED;
      if (enrollment.registrantId) linkRegistrant(tx, enrollment.registrantId, identity.id, VerificationMethod.ENROLLMENT, rt.now());
      audit(tx, actor, { action: "identity.create", entityType: "Identity", entityId: identity.id, changes: { enrollmentId: enrollment.id, adjudicated: true } });
    } else {
      enrollment.status = EnrollmentStatus.REJECTED;
      await tx.nativeDelete(AbisTemplate, { referenceId: enrollment.referenceId });
    }
    enrollment.demographicsSealed = null;
    enrollment.decidedAt = rt.now();
    enrollment.decidedBy = actor.viewer.sub ?? "unknown";
    tx.persist(enrollment);
    audit(tx, actor, { action: "enrollment.adjudicate", entityType: "IdentityEnrollment", entityId: id, changes: { decision: issue ? "ISSUE" : "REJECT" } });
    return enrollment;
  });
}
