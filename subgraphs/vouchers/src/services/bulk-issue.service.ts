/**
 * The bulk issuing step shared by batch and cycle issuance (and the benchmark): one chunk of
 * validated instructions becomes vouchers with prepared multi-row INSERTs (vouchers, their "issue"
 * history lines; see bulk-insert.ts), the QR codes signed on the thread pool while this thread writes
 * the rows, and the secrets handed back only inside one JWE encrypted to the requester's key. Instructions already issued are skipped (idempotent by
 * instruction id); everything runs inside the caller's transaction.
 */
import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { CompactEncrypt, importJWK, type JWK } from "jose";
import { vouchersConfig } from "../config";
import { hashSecret, newSecret, newSerialNumber } from "../domain/numbers";
import { timeOrderedUuid } from "../domain/ids";
import { signQr } from "../domain/qr";
import type { SigningKey } from "../entities/signing-key.entity";
import { VoucherDelivery } from "../entities/voucher-batch.entity";
import { VoucherEvent, VOUCHER_EVENT_COLUMNS } from "../entities/voucher-event.entity";
import { Voucher, VoucherStatus, type BasketItem } from "../entities/voucher.entity";
import { insertRows } from "./bulk-insert";

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

export async function issueChunk(
  em: EntityManager,
  key: SigningKey,
  instructions: ValidInstruction[],
  actor: string,
): Promise<DeliveredVoucher[]> {
  const pepper = vouchersConfig().VOUCHER_SECRET_PEPPER;
  const already = instructions.length
    ? new Set(
        (await em.find(Voucher, { instructionId: { $in: instructions.map((i) => i.instructionId) } }, { fields: ["instructionId"] })).map((v) => v.instructionId),
      )
    : new Set<string>();
  const now = new Date();
  const nowMs = now.getTime();
  const iat = Math.floor(nowMs / 1000);
  const rows: Record<string, unknown>[] = [];
  const events: Record<string, unknown>[] = [];
  const pending: Promise<DeliveredVoucher>[] = [];
  for (const input of instructions) {
    if (already.has(input.instructionId)) {
      pending.push(Promise.resolve({ instructionId: input.instructionId, serialNumber: null, secret: null, qr: null, alreadyIssued: true }));
      continue;
    }
    // Time-ordered ids: rows append to the primary-key and history indexes (see domain/ids.ts).
    const id = timeOrderedUuid(nowMs);
    const secret = newSecret();
    const serialNumber = newSerialNumber();
    rows.push({
      id,
      instructionId: input.instructionId,
      serialNumber,
      secretHash: hashSecret(secret, pepper),
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
    events.push({ id: timeOrderedUuid(nowMs), voucherId: id, fromStatus: null, toStatus: VoucherStatus.INACTIVE, action: "issue", reason: null, actor, at: now });
    const exp = input.expiresAt ? Math.floor(input.expiresAt.getTime() / 1000) : undefined;
    // Queued on libuv's thread pool now; signed while this thread writes the rows below.
    pending.push(
      signQr(key, { sn: serialNumber, vn: secret, v: input.value, c: input.currency, exp }, iat).then((qr) => ({
        instructionId: input.instructionId,
        serialNumber,
        secret,
        qr,
        alreadyIssued: false,
      })),
    );
  }
  const signed = Promise.all(pending);
  try {
    await insertRows(em, Voucher.name, VOUCHER_COLUMNS, rows);
    await insertRows(em, VoucherEvent.name, VOUCHER_EVENT_COLUMNS, events);
  } catch (err) {
    signed.catch(() => undefined); // the chunk fails with the write error; late signatures are dropped
    throw err;
  }
  return signed;
}

/** Seals a chunk's secrets to the requester's public key and stores the envelope (same transaction). */
export async function deliver(em: EntityManager, batchId: string, chunk: number, deliveryKey: Record<string, unknown>, out: DeliveredVoucher[]): Promise<void> {
  const recipient = await importJWK(deliveryKey as unknown as JWK, DELIVERY_KEY_ALG);
  const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(out)))
    .setProtectedHeader({ alg: DELIVERY_KEY_ALG, enc: "A256GCM", cty: "application/json" })
    .encrypt(recipient);
  // Bound, not formatted into the SQL text: the envelope is ≈ 0.6 MB per chunk of 1,000.
  await insertRows(em, VoucherDelivery.name, ["id", "batchId", "chunk", "count", "jwe", "createdAt"], [{ id: randomUUID(), batchId, chunk, count: out.length, jwe, createdAt: new Date() }]);
}
