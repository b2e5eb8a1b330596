import { UniqueConstraintViolationException, type EntityManager } from "@mikro-orm/core";
import { assertCurrency, audit, badInput, fromMinorUnits, toMinorUnits, userError, type AuditActor } from "@g2p/kit";
import { vouchersConfig } from "../config";
import { hashSecret, newSecret } from "../domain/numbers";
import { signingKey, signQr } from "../domain/qr";
import type { SigningKey } from "../entities/signing-key.entity";
import { Voucher, type BasketItem } from "../entities/voucher.entity";
import { VoucherEvent } from "../entities/voucher-event.entity";

export interface NewVoucher {
  instructionId: string;
  programId: string;
  cycleId?: string | null;
  registrantId: string;
  groupCode?: string | null;
  /** Administrative area of the beneficiary (the registry's adminAreaCode), kept for reporting. */
  areaCode?: string | null;
  value?: string | null;
  currency?: string | null;
  basket?: BasketItem[] | null;
  expiresAt?: Date | null;
  presenceRequired?: boolean | null;
}

export interface IssueResult {
  voucher: Voucher;
  /** Only on first issuance: the secret and the signed QR exist nowhere else afterwards. */
  secret: string | null;
  qr: string | null;
  alreadyIssued: boolean;
}

export function validateNewVoucher(input: NewVoucher): { value: string | null; currency: string | null; basket: BasketItem[] | null } {
  const instructionId = input.instructionId.trim();
  if (!instructionId || instructionId.length > 100) throw badInput("instructionId must be 1 to 100 characters", "instructionId");
  if (input.groupCode != null && !/^[A-Z0-9_-]{1,20}$/.test(input.groupCode)) throw badInput("groupCode must be 1 to 20 of A-Z 0-9 _ -", "groupCode");
  if (input.areaCode != null && !/^[A-Za-z0-9_.-]{1,50}$/.test(input.areaCode)) throw badInput("areaCode must be 1 to 50 of A-Z a-z 0-9 _ . -", "areaCode");
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw badInput("expiresAt must be in the future", "expiresAt");
  const hasValue = input.value != null;
  const hasBasket = input.basket != null && input.basket.length > 0;
  if (hasValue === hasBasket) throw badInput("Give either value and currency, or a basket", "value");
  if (hasValue) {
    if (!input.currency) throw badInput("A value voucher needs a currency", "currency");
    return { value: fromMinorUnits(toMinorUnits(input.value!, "value")), currency: assertCurrency(input.currency), basket: null };
  }
  input.basket!.forEach((b, i) => {
    if (!b.item?.trim() || !b.unit?.trim()) throw badInput(`basket[${i}] needs an item and a unit`, `basket[${i}]`);
    if (!(b.quantity > 0) || !Number.isFinite(b.quantity)) throw badInput(`basket[${i}].quantity must be positive`, `basket[${i}].quantity`);
  });
  return { value: null, currency: null, basket: input.basket!.map((b) => ({ item: b.item.trim(), quantity: b.quantity, unit: b.unit.trim() })) };
}

/** Issues one voucher, idempotently by instruction id. */
export async function issueVoucher(em: EntityManager, actor: AuditActor, input: NewVoucher): Promise<IssueResult> {
  const { value, currency, basket } = validateNewVoucher(input);
  const instructionId = input.instructionId.trim();
  const existing = await em.findOne(Voucher, { instructionId });
  if (existing) {
    const same =
      existing.registrantId === input.registrantId &&
      existing.programId === input.programId &&
      existing.value === value &&
      existing.currency === currency &&
      JSON.stringify(existing.basket ?? null) === JSON.stringify(basket);
    if (!same) throw userError("IDEMPOTENCY_MISMATCH", `instructionId ${instructionId} was used for a different voucher`);
    return { voucher: existing, secret: null, qr: null, alreadyIssued: true };
  }
  const key = await signingKey(em.fork());
  // 14 random digits: a serial collision is rare but possible at national scale; try a fresh one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await insertVoucher(em, actor, key, input, { instructionId, value, currency, basket });
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException) || attempt >= 3) throw err;
      if (await em.fork().findOne(Voucher, { instructionId })) return issueVoucher(em, actor, input); // a concurrent twin won
    }
  }
}

async function insertVoucher(
  em: EntityManager,
  actor: AuditActor,
  key: SigningKey,
  input: NewVoucher,
  fields: { instructionId: string; value: string | null; currency: string | null; basket: BasketItem[] | null },
): Promise<IssueResult> {
  const { instructionId, value, currency, basket } = fields;
  const secret = newSecret();
  return em.fork().transactional(async (tx) => {
    const voucher = tx.create(Voucher, {
      instructionId,
      programId: input.programId,
      cycleId: input.cycleId ?? null,
      registrantId: input.registrantId,
      groupCode: input.groupCode ?? null,
      areaCode: input.areaCode ?? null,
      value,
      currency,
      basket,
      expiresAt: input.expiresAt ?? null,
      presenceRequired: input.presenceRequired ?? true,
      secretHash: hashSecret(secret, vouchersConfig().VOUCHER_SECRET_PEPPER),
    });
    tx.persist(tx.create(VoucherEvent, { voucherId: voucher.id, toStatus: voucher.status, action: "issue", actor: actor.viewer.sub ?? "system" }));
    audit(tx, actor, {
      action: "voucher.issue",
      entityType: "Voucher",
      entityId: voucher.id,
      // Never the secret: only public facts.
      changes: { instructionId, serialNumber: voucher.serialNumber, programId: input.programId, registrantId: input.registrantId, value, currency, basket },
    });
    const qr = await signQr(key, {
      sn: voucher.serialNumber,
      vn: secret,
      v: value,
      c: currency,
      exp: input.expiresAt ? Math.floor(input.expiresAt.getTime() / 1000) : undefined,
    });
    return { voucher, secret, qr, alreadyIssued: false };
  });
}
