import type { EntityManager } from "@mikro-orm/core";
import { audit, badInput, notFound, userError, type AuditActor } from "@g2p/kit";
import { Merchant, MerchantStatus } from "../entities/merchant.entity";

/** G2P Connect financial address: `type:id@provider` (e.g. `mobile:+254700000001@mpesa`). */
const FINANCIAL_ADDRESS = /^[a-z][a-z0-9-]{1,19}:[^@\s]{1,100}@[A-Za-z0-9._-]{1,60}$/;

export async function registerMerchant(
  em: EntityManager,
  actor: AuditActor,
  input: { code: string; name: string; groupCode?: string | null; financialAddress: string },
): Promise<Merchant> {
  if (!/^[A-Za-z0-9_-]{3,64}$/.test(input.code)) throw badInput("code must be 3 to 64 of letters, digits, _ -", "code");
  if (!input.name.trim() || input.name.length > 200) throw badInput("name must be 1 to 200 characters", "name");
  if (!FINANCIAL_ADDRESS.test(input.financialAddress)) throw badInput("financialAddress must look like type:id@provider", "financialAddress");
  if (await em.findOne(Merchant, { code: input.code })) throw userError("CONFLICT", `Merchant code ${input.code} is taken`);
  return em.transactional(async (tx) => {
    const merchant = tx.create(Merchant, { code: input.code, name: input.name.trim(), groupCode: input.groupCode ?? null, financialAddress: input.financialAddress });
    audit(tx, actor, { action: "merchant.register", entityType: "Merchant", entityId: merchant.id, changes: { ...input } });
    return merchant;
  });
}

export async function setMerchantStatus(em: EntityManager, actor: AuditActor, id: string, status: MerchantStatus): Promise<Merchant> {
  const merchant = await em.findOne(Merchant, id);
  if (!merchant) throw notFound("Merchant", id);
  return em.transactional(async (tx) => {
    const from = merchant.status;
    merchant.status = status;
    if (status === MerchantStatus.APPROVED) {
      merchant.failedSecretAttempts = 0;
      merchant.lockedUntil = null;
    }
    tx.persist(merchant);
    audit(tx, actor, { action: "merchant.status", entityType: "Merchant", entityId: id, changes: { status: { from, to: status } } });
    return merchant;
  });
}
