/**
 * Token seeding, as OpenG2P does with MOSIP's Token Seeder: many registrants' ids (UIN or VID) plus
 * demographics are verified in bulk, and each registrant gets a link (VERIFIED or FAILED, with the
 * MOSIP code) and the partner's token. The ids are staged sealed, one document per chunk of 1,000,
 * and the staging row is deleted in the transaction that processes it: the registry never sees them
 * again and nothing raw outlives the job.
 *
 * The chunk work is set-based (one query for the identities, one for the VIDs, multi-row upserts
 * and inserts) so that 100,000 registrants take well under a minute.
 */
import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { audit, badInput, type AuditActor, type JobDefinition, type JobQueue, type SqlValue } from "@g2p/kit";
import { INTERNAL_PARTNER } from "../domain/crypto";
import { demographicMismatch, type Demographics } from "../domain/demographics";
import { checkIndividualId } from "../domain/ids";
import { RequestType } from "../entities/auth.entities";
import { IdentityStatus, type Identity } from "../entities/identity.entity";
import { AuthPartner, AuthPolicy } from "../entities/partner.entity";
import { TokenSeedChunk, VerificationMethod, VerificationStatus } from "../entities/registrant-identity.entity";
import { VidStatus } from "../entities/vid.entity";
import type { IdentityRuntime } from "../runtime";
import { boolParam, bulkInsert, dateParam, deleteById, identitiesWhereIn, vidsWhereHashIn } from "./fast-path";
import { demographicsOf } from "./identity.service";
import { tokenFor } from "./partner.service";

export const TOKEN_SEEDING_JOB = "identity.token-seeding";
export const MAX_SEED_RECORDS_PER_CALL = 5000;
const CHUNK = 1000;

export interface SeedRecordInput {
  registrantId: string;
  individualId: string;
  demographics: Partial<Demographics>;
}

interface SeedPayload {
  batchId: string;
  partnerId: string;
  chunks: number;
}

/** Stages the records (sealed, per chunk) and enqueues the job; returns the job record. */
export async function startTokenSeeding(em: EntityManager, actor: AuditActor, rt: IdentityRuntime, jobs: JobQueue, partnerId: string | null, records: SeedRecordInput[]) {
  if (!records.length) throw badInput("no records", "records");
  if (records.length > MAX_SEED_RECORDS_PER_CALL) throw badInput(`at most ${MAX_SEED_RECORDS_PER_CALL} records per call`, "records");
  const partner = partnerId ?? INTERNAL_PARTNER;
  if (partnerId && !(await em.findOne(AuthPartner, partnerId))) throw badInput(`unknown partner ${partnerId}`, "partnerId");
  const batchId = randomUUID();
  let chunks = 0;
  await em.transactional(async (tx) => {
    for (let from = 0; from < records.length; from += CHUNK) {
      const part = records.slice(from, from + CHUNK).map((r) => ({ r: r.registrantId, i: r.individualId, d: r.demographics }));
      tx.create(TokenSeedChunk, { id: randomUUID(), batchId, seq: chunks++, sealed: rt.crypto.seal(JSON.stringify(part)) });
    }
    audit(tx, actor, { action: "token_seeding.start", entityType: "TokenSeeding", entityId: batchId, changes: { partnerId: partner, records: records.length } });
  });
  return jobs.enqueue(TOKEN_SEEDING_JOB, { batchId, partnerId: partner, chunks } satisfies SeedPayload);
}

export function tokenSeedingJob(runtime: () => IdentityRuntime): JobDefinition<SeedPayload, { seq: number }> {
  return {
    name: TOKEN_SEEDING_JOB,
    maxAttempts: 3,
    backoffMs: 200,
    async plan(payload) {
      return Array.from({ length: payload.chunks }, (_, seq) => ({ seq }));
    },
    async processChunk(chunk, payload, { em }) {
      await seedChunk(em, runtime(), payload, chunk.seq);
    },
  };
}

async function seedChunk(em: EntityManager, rt: IdentityRuntime, payload: SeedPayload, seq: number): Promise<void> {
  const staged = await em.findOne(TokenSeedChunk, { batchId: payload.batchId, seq });
  if (!staged) return; // already processed
  const partner = payload.partnerId === INTERNAL_PARTNER ? null : await em.findOne(AuthPartner, payload.partnerId);
  const policy = partner ? await em.findOne(AuthPolicy, partner.policyId) : null;
  const records = (JSON.parse(rt.crypto.open(staged.sealed)) as { r: string; i: string; d: Partial<Demographics> }[]).map((o) => {
    const checked = checkIndividualId(o.i);
    return { registrantId: o.r, demo: o.d, checked, hash: "type" in checked ? rt.crypto.hash(checked.type, o.i) : null };
  });
  const uinHashes = records.filter((r) => "type" in r.checked && r.checked.type === "UIN").map((r) => r.hash!);
  const vidHashes = records.filter((r) => "type" in r.checked && r.checked.type === "VID").map((r) => r.hash!);
  const vids = await vidsWhereHashIn(em, vidHashes);
  const vidByHash = new Map(vids.map((v) => [v.vidHash, v]));
  const identities = [...(await identitiesWhereIn(em, "uin_hash", uinHashes)), ...(await identitiesWhereIn(em, "id", vids.map((v) => v.identityId)))];
  const byUinHash = new Map(identities.map((i) => [i.uinHash, i]));
  const byId = new Map(identities.map((i) => [i.id, i]));
  const now = rt.now();
  const links: SqlValue[][] = [];
  const txs: SqlValue[][] = [];
  const transactionId = `seed-${payload.batchId.slice(0, 8)}`;
  for (const r of records) {
    let code: string | null = "code" in r.checked ? r.checked.code : null;
    let identity: Identity | undefined;
    if (!code && "type" in r.checked) {
      if (r.checked.type === "UIN") {
        identity = byUinHash.get(r.hash!);
        if (!identity) code = "IDA-MLC-002";
      } else {
        const vid = vidByHash.get(r.hash!);
        identity = vid ? byId.get(vid.identityId) : undefined;
        if (!vid || !identity) code = "IDA-MLC-004";
        else if (vid.status !== VidStatus.ACTIVE || (vid.expiresAt && vid.expiresAt.getTime() <= now.getTime())) code = "IDA-MLC-023";
      }
      if (identity && !code && identity.status !== IdentityStatus.ACTIVATED) code = "IDA-MLC-022";
      if (identity && !code && demographicMismatch(demographicsOf(rt, identity), r.demo) !== null) code = "IDA-DEA-001";
    }
    const ok = identity && !code;
    const token = ok ? tokenFor(rt, identity!.personToken, payload.partnerId, policy) : null;
    links.push([r.registrantId, ok ? identity!.id : null, ok ? VerificationStatus.VERIFIED : VerificationStatus.FAILED, VerificationMethod.TOKEN_SEEDING, dateParam(em, now), code, payload.partnerId, token]);
    txs.push([randomUUID(), identity?.id ?? null, payload.partnerId, transactionId, RequestType.TOKEN_SEEDING, "type" in r.checked ? r.checked.type : "UIN", boolParam(em, !!ok), code, token, dateParam(em, now)]);
  }
  await bulkInsert(em, "registrant_identity", ["registrant_id", "identity_id", "status", "method", "verified_at", "error_code", "seed_partner_id", "seed_token"], links, "registrant_id");
  await bulkInsert(em, "auth_transaction", ["id", "identity_id", "partner_id", "transaction_id", "request_type", "id_type", "success", "error_code", "token", "created_at"], txs);
  await deleteById(em, "token_seed_chunk", staged.id);
}
