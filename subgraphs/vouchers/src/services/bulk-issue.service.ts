/**
 * The bulk issuing step shared by batch and cycle issuance (and the benchmark): one chunk of
 * validated instructions becomes vouchers with prepared multi-row INSERTs (vouchers, their "issue"
 * history lines; see bulk-insert.ts). The chunk's numbers, secret hashes and signed QR codes come from
 * the issuing worker (issue-worker.ts): `prepareChunk` asks for them (the jobs call it in their
 * `prepare` step, outside the transaction, so the next chunk is prepared while this one commits) and
 * `issueChunk` only writes. The secrets are handed back only inside one JWE encrypted to the
 * requester's key. Instructions already issued are skipped (idempotent by instruction id); everything
 * is written inside the caller's transaction.
 */
import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { CompactEncrypt, importJWK, type JWK } from "jose";
import { vouchersConfig } from "../config";
import { timeOrderedUuid } from "../domain/ids";
import type { SigningKey } from "../entities/signing-key.entity";
import { VoucherDelivery } from "../entities/voucher-batch.entity";
import { VoucherEvent, VOUCHER_EVENT_COLUMNS } from "../entities/voucher-event.entity";
import { Voucher, VoucherStatus, type BasketItem } from "../entities/voucher.entity";
import { insertRows } from "./bulk-insert";
import { prepareNumbers, type PreparedNumbers } from "./issue-worker";

/** An instruction already checked by `validateNewVoucher` (normalised value, currency, basket). */
export interface ValidInstruction {
  instructionId: string;
  programId: string;
  cycleId: string | null;
  registrantId: string;
  groupCode: string | null;
  areaCode: string | null;
  value: string | null;
  currency: string | null;
  basket: BasketItem[] | null;
  expiresAt: Date | null;
  presenceRequired: boolean;
}

export interface DeliveredVoucher {
  instructionId: string;
  serialNumber: string | null;
  secret: string | null;
  qr: string | null;
  alreadyIssued: boolean;
  /** Why no voucher was issued for this instruction (cycle issuance: e.g. a zero entitlement). */
  skipped?: string;
}

/** Delivery envelopes: ECDH-ES key wrapping with AES-256-GCM content encryption. */
export const DELIVERY_KEY_ALG = "ECDH-ES+A256KW";

/** The columns bulk issuance writes (every persisted property: nothing is left to a database default). */
const VOUCHER_COLUMNS = [
  "id", "instructionId", "serialNumber", "secretHash", "programId", "cycleId", "groupCode", "registrantId", "areaCode",
  "value", "currency", "basket", "status", "presenceRequired", "activatedAt", "expiresAt", "createdAt", "updatedAt",
] as const;

/**
 * A chunk's numbers, hashes and QR codes, made by the issuing worker before the chunk's transaction.
 * It is consumed by one `issueChunk` call, which then drops it (its hashes zeroed, its lists emptied),
 * whether the write succeeds or fails: a failed attempt's secrets are never used again, and a retry
 * prepares new ones.
 */
export interface PreparedChunk {
  readonly instructions: readonly ValidInstruction[];
  numbers: PreparedNumbers | null;
}

/** Asks the issuing worker for the numbers of `instructions` (no database access; no effect). */
export async function prepareChunk(key: SigningKey, instructions: readonly ValidInstruction[]): Promise<PreparedChunk> {
  const facts = instructions.map((i) => ({ v: i.value, c: i.currency, exp: i.expiresAt ? Math.floor(i.expiresAt.getTime() / 1000) : undefined }));
  const numbers = instructions.length
    ? await prepareNumbers(key, vouchersConfig().VOUCHER_SECRET_PEPPER, facts)
    : { ids: [], serials: [], secrets: [], hashes: Buffer.alloc(0), qrs: [] };
  return { instructions, numbers };
}

/** Drops a prepared chunk that will not be written (its hashes zeroed, its lists emptied). */
export function discard(prepared: PreparedChunk): void {
  const n = prepared.numbers;
  prepared.numbers = null;
  if (!n) return;
  n.hashes.fill(0);
  n.secrets.length = 0;
  n.qrs.length = 0;
}

/**
 * Writes one chunk: `prepared` (from `prepareChunk` for these same instructions) or, without it, the
 * numbers are prepared here, inside the transaction.
 */
export async function issueChunk(
  em: EntityManager,
  key: SigningKey,
  instructions: readonly ValidInstruction[],
  actor: string,
  prepared?: PreparedChunk,
): Promise<DeliveredVoucher[]> {
  if (prepared && prepared.instructions !== instructions) throw new Error("issueChunk: the prepared chunk belongs to other instructions");
  if (prepared && !prepared.numbers) throw new Error("issueChunk: a prepared chunk is written at most once (prepare again to retry)");
  // Without a prepared chunk: the worker prepares while the idempotency read runs.
  const preparing = prepared ? Promise.resolve(prepared) : prepareChunk(key, instructions);
  preparing.catch(() => undefined);
  try {
    const already = instructions.length
      ? new Set(
          (await em.find(Voucher, { instructionId: { $in: instructions.map((i) => i.instructionId) } }, { fields: ["instructionId"] })).map((v) => v.instructionId),
        )
      : new Set<string>();
    const chunk = await preparing;
    prepared = chunk;
    const { ids, serials, secrets, hashes, qrs } = chunk.numbers!;
    const now = new Date();
    const rows: Record<string, unknown>[] = [];
    const events: Record<string, unknown>[] = [];
    const out: DeliveredVoucher[] = [];
    for (let i = 0; i < instructions.length; i++) {
      const input = instructions[i]!;
      if (already.has(input.instructionId)) {
        out.push({ instructionId: input.instructionId, serialNumber: null, secret: null, qr: null, alreadyIssued: true });
        continue;
      }
      const id = ids[i]!;
      rows.push({
        id,
        instructionId: input.instructionId,
        serialNumber: serials[i],
        secretHash: hashes.subarray(32 * i, 32 * i + 32), // bound before the finally below zeroes it
        programId: input.programId,
        cycleId: input.cycleId,
        groupCode: input.groupCode,
        registrantId: input.registrantId,
        areaCode: input.areaCode,
        value: input.value,
        currency: input.currency,
        basket: input.basket,
        status: VoucherStatus.INACTIVE,
        presenceRequired: input.presenceRequired,
        activatedAt: null,
        expiresAt: input.expiresAt,
        createdAt: now,
        updatedAt: now,
      });
      // Time-ordered ids: rows append to the primary-key and history indexes (see domain/ids.ts).
      events.push({ id: timeOrderedUuid(now.getTime()), voucherId: id, fromStatus: null, toStatus: VoucherStatus.INACTIVE, action: "issue", reason: null, actor, at: now });
      out.push({ instructionId: input.instructionId, serialNumber: serials[i]!, secret: secrets[i]!, qr: qrs[i]!, alreadyIssued: false });
    }
    await insertRows(em, Voucher.name, VOUCHER_COLUMNS, rows);
    await insertRows(em, VoucherEvent.name, VOUCHER_EVENT_COLUMNS, events);
    return out;
  } finally {
    if (prepared) discard(prepared);
    else preparing.then(discard, () => undefined); // the read failed first: drop the numbers when they come
  }
}

/** Seals a chunk's secrets to the requester's public key and stores the envelope (same transaction). */
export async function deliver(em: EntityManager, batchId: string, chunk: number, deliveryKey: Record<string, unknown>, out: DeliveredVoucher[]): Promise<void> {
  const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(out)))
    .setProtectedHeader({ alg: DELIVERY_KEY_ALG, enc: "A256GCM", cty: "application/json" })
    .encrypt(await importJWK(deliveryKey as unknown as JWK, DELIVERY_KEY_ALG));
  // Bound, not formatted into the SQL text: the envelope is ≈ 0.6 MB per chunk of 1,000.
  await insertRows(em, VoucherDelivery.name, ["id", "batchId", "chunk", "count", "jwe", "createdAt"], [{ id: randomUUID(), batchId, chunk, count: out.length, jwe, createdAt: new Date() }]);
}
