/**
 * ID → financial-address mapper (G2P Connect mapper / SPAR): link, resolve, update, unlink, batch
 * resolve; and the directory of banks, branches and wallet providers it points to.
 */
import type { EntityManager } from "@mikro-orm/core";
import { audit, badInput, notFound, userError, type AuditActor } from "@g2p/kit";
import { ConnectorKind, FinancialAddressLink, LinkStatus, PaymentProvider, ProviderKind } from "../entities/mapper.entity";
import { slices } from "./sql";

/** G2P Connect's `type:id@provider` form. */
const FA = /^([a-z][a-z0-9_-]{0,29}):([^@\s:]{1,100})@([A-Za-z0-9][A-Za-z0-9._-]{0,99})$/;

export interface FinancialAddressParts {
  type: string;
  id: string;
  provider: string;
}

export function parseFinancialAddress(fa: string): FinancialAddressParts | null {
  const m = FA.exec(fa.trim());
  return m ? { type: m[1]!, id: m[2]!, provider: m[3]! } : null;
}

export function assertFinancialAddress(fa: string, field = "financialAddress"): FinancialAddressParts {
  const parts = parseFinancialAddress(fa);
  if (!parts) throw badInput(`${field} must look like type:id@provider (e.g. mobile:254700000001@mpesa)`, field);
  return parts;
}

export interface ProviderInput {
  code: string;
  name: string;
  kind: ProviderKind;
  parentCode?: string | null;
  connector?: ConnectorKind | null;
  endpointUrl?: string | null;
  active?: boolean | null;
}

export async function upsertProvider(em: EntityManager, actor: AuditActor, input: ProviderInput): Promise<PaymentProvider> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(input.code)) throw badInput("code must be letters, digits, '.', '_' or '-'", "code");
  if (input.endpointUrl) {
    let url: URL;
    try {
      url = new URL(input.endpointUrl);
    } catch {
      throw badInput("endpointUrl must be an absolute http(s) URL", "endpointUrl");
    }
    if (!/^https?:$/.test(url.protocol)) throw badInput("endpointUrl must be an absolute http(s) URL", "endpointUrl");
  }
  if (input.kind === ProviderKind.BRANCH && !input.parentCode) throw badInput("a branch needs its bank's code", "parentCode");
  return em.transactional(async (tx) => {
    if (input.parentCode && !(await tx.count(PaymentProvider, { code: input.parentCode }))) throw badInput(`no provider ${input.parentCode}`, "parentCode");
    let provider = await tx.findOne(PaymentProvider, { code: input.code });
    const values = {
      name: input.name,
      kind: input.kind,
      parentCode: input.parentCode ?? null,
      connector: input.connector ?? ConnectorKind.NONE,
      endpointUrl: input.endpointUrl ?? null,
      active: input.active ?? true,
    };
    if (provider) tx.assign(provider, values);
    else provider = tx.create(PaymentProvider, { code: input.code, ...values });
    audit(tx, actor, { action: "provider.upsert", entityType: "PaymentProvider", entityId: provider.id, changes: { code: input.code, ...values } });
    return provider;
  });
}

async function activeProvider(em: EntityManager, code: string, field: string): Promise<PaymentProvider> {
  const provider = await em.findOne(PaymentProvider, { code });
  if (!provider || !provider.active) throw badInput(`no active provider ${code} in the directory`, field);
  return provider;
}

export async function link(em: EntityManager, actor: AuditActor, beneficiaryId: string, financialAddress: string): Promise<FinancialAddressLink> {
  if (!beneficiaryId.trim() || beneficiaryId.length > 200) throw badInput("beneficiaryId must be 1 to 200 characters", "beneficiaryId");
  const parts = assertFinancialAddress(financialAddress);
  return em.transactional(async (tx) => {
    await activeProvider(tx, parts.provider, "financialAddress");
    if (await tx.count(FinancialAddressLink, { beneficiaryId })) {
      throw userError("CONFLICT", `${beneficiaryId} is already linked; use updateFinancialAddress`, { field: "beneficiaryId" });
    }
    const row = tx.create(FinancialAddressLink, { beneficiaryId, financialAddress: financialAddress.trim(), providerCode: parts.provider });
    audit(tx, actor, { action: "mapper.link", entityType: "FinancialAddressLink", entityId: row.id, changes: { beneficiaryId, providerCode: parts.provider } });
    return row;
  });
}

export async function update(em: EntityManager, actor: AuditActor, beneficiaryId: string, financialAddress: string, status?: LinkStatus | null): Promise<FinancialAddressLink> {
  const parts = assertFinancialAddress(financialAddress);
  return em.transactional(async (tx) => {
    await activeProvider(tx, parts.provider, "financialAddress");
    const row = await tx.findOne(FinancialAddressLink, { beneficiaryId });
    if (!row) throw notFound("FinancialAddressLink", beneficiaryId);
    const before = { providerCode: row.providerCode, status: row.status };
    row.financialAddress = financialAddress.trim();
    row.providerCode = parts.provider;
    if (status) row.status = status;
    audit(tx, actor, { action: "mapper.update", entityType: "FinancialAddressLink", entityId: row.id, changes: { before, providerCode: parts.provider, status: row.status } });
    return row;
  });
}

export async function unlink(em: EntityManager, actor: AuditActor, beneficiaryId: string): Promise<boolean> {
  return em.transactional(async (tx) => {
    const row = await tx.findOne(FinancialAddressLink, { beneficiaryId });
    if (!row) throw notFound("FinancialAddressLink", beneficiaryId);
    tx.remove(row);
    audit(tx, actor, { action: "mapper.unlink", entityType: "FinancialAddressLink", entityId: row.id, changes: { beneficiaryId, providerCode: row.providerCode } });
    return true;
  });
}

/** G2P Connect resolve status codes ("not found" is a success code there, not a rejection). */
export type ResolveCode = "succ.id.active" | "succ.id.inactive" | "succ.id.not_found";

export interface Resolution {
  beneficiaryId: string;
  code: ResolveCode;
  link: FinancialAddressLink | null;
}

/** Resolves many ids with one query per 1,000 ids; every id gets an answer, unknown ones included. */
export async function resolveMany(em: EntityManager, beneficiaryIds: string[]): Promise<Resolution[]> {
  const byId = new Map<string, FinancialAddressLink>();
  for (const part of slices([...new Set(beneficiaryIds)], 1000)) {
    for (const row of await em.find(FinancialAddressLink, { beneficiaryId: { $in: part } })) byId.set(row.beneficiaryId, row);
  }
  return beneficiaryIds.map((beneficiaryId) => {
    const row = byId.get(beneficiaryId) ?? null;
    const code: ResolveCode = !row ? "succ.id.not_found" : row.status === LinkStatus.ACTIVE ? "succ.id.active" : "succ.id.inactive";
    return { beneficiaryId, code, link: row };
  });
}
