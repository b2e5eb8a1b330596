/**
 * The bulk issuing step shared by batch and cycle issuance (and the benchmark): one chunk of
 * validated instructions becomes vouchers with two multi-row INSERTs (vouchers, their "issue" history
 * lines), the QR codes signed on the thread pool, and the secrets handed back only inside one JWE
 * encrypted to the requester's key. Instructions already issued are skipped (idempotent by
 * instruction id); everything runs inside the caller's transaction.
 */
import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { CompactEncrypt, importJWK, type JWK } from "jose";
import { vouchersConfig } from "../config";
import { hashSecret, newSecret, newSerialNumber } from "../domain/numbers";
import { signQr } from "../domain/qr";
import type { SigningKey } from "../entities/signing-key.entity";
import { VoucherDelivery } from "../entities/voucher-batch.entity";
import { VoucherEvent } from "../entities/voucher-event.entity";
import { Voucher, VoucherStatus, type BasketItem } from "../entities/voucher.entity";

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
  const iat = Math.floor(now.getTime() / 1000);
  const rows: Record<string, unknown>[] = [];
  const events: Record<string, unknown>[] = [];
  const pending: Promise<DeliveredVoucher>[] = [];
  for (const input of instructions) {
    if (already.has(input.instructionId)) {
      pending.push(Promise.resolve({ instructionId: input.instructionId, serialNumber: null, secret: null, qr: null, alreadyIssued: true }));
      continue;
    }
    const id = randomUUID();
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
    events.push({ id: randomUUID(), voucherId: id, fromStatus: null, toStatus: VoucherStatus.INACTIVE, action: "issue", reason: null, actor, at: now });
    const exp = input.expiresAt ? Math.floor(input.expiresAt.getTime() / 1000) : undefined;
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
  const out = await Promise.all(pending);
  if (rows.length) {
    await em.insertMany(Voucher, rows as unknown as Voucher[]);
    await em.insertMany(VoucherEvent, events as unknown as VoucherEvent[]);
  }
  return out;
}

/** Seals a chunk's secrets to the requester's public key and stores the envelope (same transaction). */
export async function deliver(em: EntityManager, batchId: string, chunk: number, deliveryKey: Record<string, unknown>, out: DeliveredVoucher[]): Promise<void> {
  const recipient = await importJWK(deliveryKey as unknown as JWK, DELIVERY_KEY_ALG);
  const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(out)))
    .setProtectedHeader({ alg: DELIVERY_KEY_ALG, enc: "A256GCM", cty: "application/json" })
    .encrypt(recipient);
  await em.insertMany(VoucherDelivery, [{ id: randomUUID(), batchId, chunk, count: out.length, jwe, createdAt: new Date() }] as unknown as VoucherDelivery[]);
}
