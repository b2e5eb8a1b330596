/**
 * Redemption at a merchant: the merchant presents the secret (typed) or the QR (scanned); the
 * beneficiary proves presence through the identity block; then exactly one redemption wins.
 * Decision: a value voucher is redeemed whole (no partial redemption), as in Payment Hub EE: a
 * remainder would need change-giving rules per program and keeps a bearer secret alive.
 */
import type { EntityManager } from "@mikro-orm/core";
import { audit, badInput, forbidden, notFound, userError, type SubgraphContext } from "@g2p/kit";
import { vouchersConfig } from "../config";
import { hashSecret, isValidSecret } from "../domain/numbers";
import { verifyQr } from "../domain/qr";
import { Merchant, MerchantStatus } from "../entities/merchant.entity";
import { Redemption } from "../entities/redemption.entity";
import { Voucher, VoucherStatus } from "../entities/voucher.entity";
import { assertProgramScope } from "./access";
import { refuse, transition } from "./transitions";

export interface RedeemInput {
  secret?: string | null;
  qr?: string | null;
  /** The identity transaction in which the beneficiary authenticated at this merchant. */
  presenceTransactionId?: string | null;
}

const PRESENCE_QUERY = /* GraphQL */ `
  query VoucherPresence($registrantId: ID!, $transactionId: String!, $partnerId: ID) {
    authenticatedForTransaction(registrantId: $registrantId, transactionId: $transactionId, partnerId: $partnerId)
  }
`;

async function currentMerchant(em: EntityManager, ctx: SubgraphContext): Promise<Merchant> {
  const code = ctx.viewer.partnerId;
  if (!code) throw forbidden("A merchant token (role merchant, partner_id = merchant code) is required");
  const merchant = await em.findOne(Merchant, { code });
  if (!merchant || merchant.status !== MerchantStatus.APPROVED) throw forbidden(`Merchant ${code} is not approved`);
  if (merchant.lockedUntil && merchant.lockedUntil > new Date()) {
    throw forbidden(`Merchant ${code} is locked after repeated wrong secrets until ${merchant.lockedUntil.toISOString()}`);
  }
  return merchant;
}

/** Counts a wrong secret against the merchant, locking it out at the limit. Committed on its own. */
async function recordWrongSecret(em: EntityManager, ctx: SubgraphContext, merchant: Merchant): Promise<void> {
  const cfg = vouchersConfig();
  await em.fork().transactional(async (tx) => {
    const m = await tx.findOneOrFail(Merchant, merchant.id);
    m.failedSecretAttempts += 1;
    if (m.failedSecretAttempts >= cfg.MERCHANT_MAX_FAILED_SECRETS) {
      m.lockedUntil = new Date(Date.now() + cfg.MERCHANT_LOCK_MINUTES * 60_000);
      m.failedSecretAttempts = 0;
      audit(tx, ctx, { action: "merchant.locked", entityType: "Merchant", entityId: m.id, changes: { lockedUntil: m.lockedUntil.toISOString() } });
    }
  });
}

export async function redeemVoucher(em: EntityManager, ctx: SubgraphContext, input: RedeemInput): Promise<Redemption> {
  if (!!input.secret === !!input.qr) throw badInput("Give either the voucher secret or its QR code", "secret");
  const merchant = await currentMerchant(em, ctx);

  let secret: string;
  let qrSerial: string | null = null;
  if (input.qr) {
    const claims = await verifyQr(em, input.qr);
    if (!claims) throw userError("BAD_USER_INPUT", "The QR code is not a genuine voucher (bad or altered signature)", { field: "qr", reason: "FORGED_QR" });
    secret = claims.vn;
    qrSerial = claims.sn;
  } else {
    secret = input.secret!.trim();
  }
  const voucher = isValidSecret(secret) ? await em.findOne(Voucher, { secretHash: hashSecret(secret, vouchersConfig().VOUCHER_SECRET_PEPPER) }) : null;
  if (!voucher || (qrSerial && qrSerial !== voucher.serialNumber)) {
    await recordWrongSecret(em, ctx, merchant);
    throw notFound("Voucher", "for this secret");
  }
  if (merchant.failedSecretAttempts > 0) await em.nativeUpdate(Merchant, { id: merchant.id }, { failedSecretAttempts: 0 });

  assertProgramScope(ctx.viewer, voucher.programId);
  if (voucher.groupCode && voucher.groupCode !== merchant.groupCode) {
    throw forbidden(`Voucher group ${voucher.groupCode} cannot be redeemed at this merchant`);
  }
  const now = new Date();
  if (voucher.status === VoucherStatus.ACTIVE && voucher.expiresAt && voucher.expiresAt <= now) {
    await em.fork().transactional((tx) => transition(tx, ctx, voucher, "expire", { reason: "expired at redemption" }));
  }
  if (voucher.status !== VoucherStatus.ACTIVE) refuse(voucher, "redeem");

  if (voucher.presenceRequired) {
    const transactionId = input.presenceTransactionId?.trim();
    if (!transactionId) throw badInput("This voucher needs the beneficiary to authenticate first (presenceTransactionId)", "presenceTransactionId");
    const { authenticatedForTransaction } = await ctx.graph.request<{ authenticatedForTransaction: boolean }>(PRESENCE_QUERY, {
      registrantId: voucher.registrantId,
      transactionId,
      partnerId: merchant.code,
    });
    if (!authenticatedForTransaction) throw forbidden("The beneficiary's presence was not proven for this transaction");
  }

  return em.fork().transactional(async (tx) => {
    const won = await transition(tx, ctx, voucher, "redeem", {
      extraWhere: { $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] },
      changes: {},
    });
    if (!won) {
      const fresh = await tx.findOneOrFail(Voucher, voucher.id, { refresh: true });
      refuse(fresh, "redeem");
    }
    const redemption = tx.create(Redemption, {
      voucherId: voucher.id,
      activeVoucherId: voucher.id,
      merchantId: merchant.id,
      programId: voucher.programId,
      amount: voucher.value ?? null,
      currency: voucher.currency ?? null,
      presenceTransactionId: input.presenceTransactionId ?? null,
    });
    audit(tx, ctx, {
      action: "voucher.redemption",
      entityType: "Redemption",
      entityId: redemption.id,
      changes: { voucherId: voucher.id, serialNumber: voucher.serialNumber, merchant: merchant.code, amount: voucher.value, currency: voucher.currency },
    });
    return redemption;
  });
}
