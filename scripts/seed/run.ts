/**
 * The demo data, built through the graph only (the gateway, with development tokens), with the SDK:
 *
 *  1. registry   households from an ODK Central form (the simulator), imported as one job
 *  2. identity   national identities for a share of household heads, then bulk verification (seedTokens)
 *  3. eligibility three programs (cash transfer, school-feeding voucher, disability grant), bulk evaluation
 *  4. cycles     eligibility check + entitlements (jobs), multi-stage approval
 *  5. payments   the cash transfer's cycle paid to the heads' mobile-money wallets (GSMA simulator), one
 *                batch per district, some wallets refused by the provider
 *  6. vouchers   school-feeding vouchers issued in bulk (a job), activated, some redeemed at a merchant
 *                after the beneficiary authenticated at the identity block
 *
 * Every step is idempotent-ish: the same submissions (source ids), programs and cycles found by name,
 * payment batches by client correlation id, voucher batches by batch id. A second run adds nothing.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { compactDecrypt } from "jose";
import { signDevToken } from "@g2p/kit/auth";
import * as sdk from "../../clients/sdk/src";
import { G2PClient, isG2PError } from "../../clients/sdk/src";
import { DISTRICTS, household, HOUSEHOLD_FORM_MAPPING, type Household } from "./population";

type Role = "admin" | "registrar" | "program_manager" | "approver" | "finance_officer" | "auditor" | "partner" | "merchant" | "service";

export interface SeedOptions {
  /** The gateway's /graphql. */
  graphUrl: string;
  /** Households to create (default 200). */
  households: number;
  /** ODK Central (simulator) holding the survey; the seed adds its submissions there. */
  odk: { url: string; addForm(p: number, f: string, repeats?: string[]): void; addSubmissions(p: number, f: string, subs: any[]): void };
  /** The mobile-money provider's base URL (GSMA simulator). */
  mobileMoneyUrl: string;
  /** Tell the provider which wallets to refuse (the demo's failed payments). */
  refuseWallets?: (msisdns: string[]) => void;
  /** Share of household heads with a national identity (default 0.6). */
  identityShare?: number;
  /** Share of issued vouchers redeemed (default 0.3, at most 300). */
  redeemShare?: number;
  /** Share of heads whose wallet the provider refuses (default 0.03). */
  failureShare?: number;
  log?: (line: string) => void;
  /** The token signing secret (JWT_SECRET) when not the development default. */
  jwtSecret?: string;
}

export interface SeedSummary {
  households: number;
  registrants: { total: number; groups: number; individuals: number; byDistrict: Record<string, number> };
  import: { created: number; updated: number; unchanged: number; failedRows: number };
  identity: { identities: number; verified: number; failed: number };
  programs: { id: string; name: string; enrolled: number; notEligible: number; cycle: { id: string; name: string; state: string; entitlements: number; totalAmount: string } | null }[];
  payments: { batches: number; payments: number; completed: number; failed: number; completedAmount: string; failedAmount: string; statuses: string[] };
  vouchers: { issued: number; active: number; redeemed: number; totalValue: string };
}

const CURRENCY = "KES";
const FORM = { projectId: 1, formId: "household_survey_2026" };
const PROVIDER = "mpesa-sim";
const MERCHANT = { code: "SHOP-OLKALOU-01", name: "Ol Kalou Cereals & School Supplies" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Decimal strings, exactly (minor units). */
const toMinor = (s: string) => {
  const [i, f = ""] = s.split(".");
  return BigInt(i!) * 100n + BigInt((f + "00").slice(0, 2)) * (s.startsWith("-") ? -1n : 1n);
};
const fromMinor = (m: bigint) => `${m / 100n}.${String(m % 100n).padStart(2, "0")}`;

async function pool<T, R>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

async function until<T>(what: string, poll: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15 * 60_000): Promise<T> {
  const start = Date.now();
  let delay = 200;
  for (;;) {
    let v: T;
    try {
      v = await poll();
    } catch (err) {
      // A busy block (an SQLite job chunk holds its one connection) may miss the gateway's deadline: ask again.
      if (!isG2PError(err, "SUBGRAPH_TIMEOUT") && !isG2PError(err, "SUBGRAPH_UNAVAILABLE") && !isG2PError(err, "TIMEOUT")) throw err;
      if (Date.now() - start > timeoutMs) throw err;
      await sleep(delay);
      continue;
    }
    if (done(v)) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not finished after ${Math.round(timeoutMs / 1000)} s (${JSON.stringify(v)})`);
    await sleep(delay);
    delay = Math.min(2000, delay * 1.5);
  }
}

const FINISHED = new Set(["COMPLETED", "FAILED", "CANCELLED"]);

export async function runSeed(opts: SeedOptions): Promise<SeedSummary> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const clients = new Map<string, G2PClient>();
  async function as(role: Role, sub: string, partnerId?: string): Promise<G2PClient> {
    const key = `${role}/${sub}/${partnerId ?? ""}`;
    let c = clients.get(key);
    if (!c) {
      const token = await signDevToken({ sub, roles: [role], partnerId }, { secret: opts.jwtSecret, expiresIn: "4h" });
      c = new G2PClient({ url: opts.graphUrl, auth: token, timeoutMs: 120_000 });
      // Every call the seed makes is idempotent (ids, correlation ids, find-or-create): a block busy with
      // a job (SQLite: one connection) that misses the gateway's deadline is simply asked again.
      const request = c.request.bind(c) as (...a: unknown[]) => Promise<unknown>;
      (c as { request: unknown }).request = async (...a: unknown[]) => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await request(...a);
          } catch (err) {
            if (attempt >= 6 || !(isG2PError(err, "SUBGRAPH_TIMEOUT") || isG2PError(err, "SUBGRAPH_UNAVAILABLE"))) throw err;
            await sleep(1000 * attempt);
          }
        }
      };
      clients.set(key, c);
    }
    return c;
  }
  const admin = await as("admin", "seed-admin");
  const registrar = await as("registrar", "seed-registrar");
  const pm = await as("program_manager", "seed-program-manager");
  const approver = await as("approver", "seed-approver");
  const director = await as("admin", "seed-director");
  const finance = await as("finance_officer", "seed-finance");

  // ---- 1. registry: the household survey, from ODK Central -------------------------------------
  const population: Household[] = Array.from({ length: opts.households }, (_, i) => household(i));
  const bySource = new Map(population.map((h) => [h.instanceId, h]));
  log(`seed: ${population.length} households, ${population.reduce((n, h) => n + h.members.length, 0)} people over ${DISTRICTS.length} districts`);
  await registrar.request(sdk.DefineIdTypeDocument, { name: "NATIONAL_ID", pattern: "[0-9]{8}", description: "National ID card number" });
  opts.odk.addForm(FORM.projectId, FORM.formId, ["members"]);
  opts.odk.addSubmissions(FORM.projectId, FORM.formId, population.map((h) => h.submission as any));
  const started = await registrar.request(sdk.ImportFromOdkCentralDocument, {
    input: { baseUrl: opts.odk.url, ...FORM, email: "collector@example.org", password: "secret-password", mapping: HOUSEHOLD_FORM_MAPPING, pageSize: 500 },
  });
  const imported = await until(
    "registry import",
    async () => (await registrar.request(sdk.RegistryImportDocument, { id: started.importFromOdkCentral.id })).registryImport!,
    (i) => FINISHED.has(i.progress.status),
  );
  if (imported.progress.status !== "COMPLETED") throw new Error(`registry import ${imported.progress.status}: ${imported.progress.error}`);
  log(`registry: import ${imported.id}: ${imported.created} created, ${imported.updated} updated, ${imported.unchanged} unchanged, ${imported.failedRows} refused`);

  // Households as the registry has them: ids, heads, identity links.
  interface HouseholdRef {
    id: string;
    area: string | null;
    data: Household;
    headId: string;
    headUin: string | null;
    headVerified: string | null;
  }
  const households: HouseholdRef[] = [];
  for await (const g of admin.paginate(sdk.HouseholdMembersIdentityDocument, {}, (d) => d.registrants, { pageSize: 500 })) {
    const data = g.sourceId ? bySource.get(g.sourceId) : undefined;
    if (!data) continue; // not ours (created by hand)
    const head = g.members.find((m) => m.role === "HEAD" && !m.endDate)?.individual;
    if (!head) continue;
    households.push({ id: g.id, area: g.adminAreaCode, data, headId: head.id, headUin: head.identity?.uin ?? null, headVerified: head.idVerification?.status ?? null });
  }
  const byId = new Map(households.map((h) => [h.id, h]));

  // ---- 2. identity: national ids for a share of heads, verified in bulk --------------------------
  const idShare = opts.identityShare ?? 0.6;
  const withId = households.filter((h) => (h.data.index * 7919) % 100 < idShare * 100);
  // A head whose verification failed keeps its identity, but the registry link no longer shows it
  // (CONFLICT on a second run): that head is already done.
  const toCreate = withId.filter((h) => !h.headUin && !h.headVerified);
  await pool(toCreate, 4, async (h) => {
    const p = h.data.members[0]!;
    try {
      const created = await admin.request(sdk.CreateIdentityDocument, {
        registrantId: h.headId,
        demographics: { names: [{ language: "eng", value: `${p.givenName} ${p.familyName}` }], dateOfBirth: p.birthDate, gender: p.sex === "FEMALE" ? "F" : "M", phone: p.phone ?? undefined },
      });
      h.headUin = created.createIdentity.uin;
    } catch (err) {
      if (!isG2PError(err, "CONFLICT")) throw err;
    }
  });
  // Bulk verification against the ID system: a few registry records carry a mistyped birth date.
  const toVerify = withId.filter((h) => h.headUin && !h.headVerified);
  for (let i = 0; i < toVerify.length; i += 5000) {
    const records = toVerify.slice(i, i + 5000).map((h) => {
      const dob = h.data.members[0]!.birthDate;
      const typo = h.data.index % 20 === 3; // ~5 % data-entry errors
      return { registrantId: h.headId, individualId: h.headUin!, demographics: { dateOfBirth: typo ? `${Number(dob.slice(0, 4)) - 1}${dob.slice(4)}` : dob } };
    });
    const job = (await admin.request(sdk.SeedTokensDocument, { input: { records } })).seedTokens;
    await until("token seeding", async () => (await admin.request(sdk.TokenSeedingJobDocument, { id: job.id })).tokenSeedingJob, (j) => FINISHED.has(j.status));
  }
  log(`identity: ${toCreate.length} identities issued (${withId.length} heads hold one), ${toVerify.length} verified in bulk`);

  // ---- 3. programs --------------------------------------------------------------------------------
  const attributes = new Set((await pm.request(sdk.RuleAttributesDocument)).ruleAttributes.map((a) => a.name));
  const hasIncome = attributes.has("extra.income");
  const programs = await pm.all(sdk.ProgramsDocument, {}, (d) => d.programs, { pageSize: 100 });
  async function program(input: sdk.CreateProgramInput): Promise<{ id: string; name: string }> {
    const found = programs.find((p) => p.name === input.name);
    if (found) return found;
    return (await pm.request(sdk.CreateProgramDocument, { input })).createProgram;
  }
  const cash = await program({
    name: "Inua Jamii Cash Transfer",
    target: "GROUP",
    currency: CURRENCY,
    benefitKind: "CASH",
    budget: "150000000.00",
    ministry: "Ministry of Labour and Social Protection",
    managerRoles: ["program_manager"],
    criteria: hasIncome
      ? [
          { name: "vulnerable household", expression: "household.children >= 1 || household.elderly >= 1 || household.disabled >= 1" },
          { name: "low income", expression: "has(extra.income) && extra.income < 15000.0" },
        ]
      : [{ name: "vulnerable household", expression: "household.children >= 1 || household.elderly >= 1 || household.disabled >= 1" }],
    scoring: hasIncome
      ? {
          intercept: 0,
          threshold: 10,
          eligibleWhen: "AT_MOST",
          parts: [
            { name: "income (per 1,000 KES)", expression: "extra.income / 1000.0", weight: 1 },
            { name: "children", expression: "double(household.children)", weight: -1.5 },
            { name: "elderly", expression: "double(household.elderly)", weight: -2 },
            { name: "members with a disability", expression: "double(household.disabled)", weight: -2 },
          ],
        }
      : undefined,
    entitlementFormula: { baseAmount: "2000.00", perMemberAmount: "300.00", memberCap: 6, feeAmount: "25.00", validityDays: 30 },
    approvalStages: [
      { name: "Technical review", role: "approver" },
      { name: "Director of Social Protection", role: "admin" },
    ],
  });
  const school = await program({
    name: "School Feeding Voucher",
    target: "GROUP",
    currency: CURRENCY,
    benefitKind: "VOUCHER",
    budget: "20000000.00",
    ministry: "Ministry of Education",
    managerRoles: ["program_manager"],
    criteria: [{ name: "school-age children", expression: "household.members.exists(m, m.age >= 6 && m.age <= 17)" }],
    entitlementFormula: { baseAmount: "1500.00", perMemberAmount: "0.00", feeAmount: "0.00", validityDays: 60 },
    approvalStages: [{ name: "County education officer", role: "approver" }],
  });
  const disability = await program({
    name: "Disability Grant",
    target: "INDIVIDUAL",
    currency: CURRENCY,
    benefitKind: "CASH",
    budget: "30000000.00",
    ministry: "Ministry of Labour and Social Protection",
    managerRoles: ["program_manager"],
    criteria: [{ name: "person with a disability", expression: "has(registrant.disability) && registrant.disability" }],
    entitlementFormula: { baseAmount: "3000.00", perMemberAmount: "0.00", feeAmount: "20.00", validityDays: 30 },
    approvalStages: [{ name: "Technical review", role: "approver" }],
  });
  log(`eligibility: programs ${cash.name}, ${school.name}, ${disability.name}${hasIncome ? "" : " (no extra.income attribute: income rules left out)"}`);

  async function waitRun(id: string) {
    const run = await until("program run", async () => (await pm.request(sdk.ProgramRunDocument, { id })).programRun, (r) => FINISHED.has(r.status));
    if (run.status !== "COMPLETED") throw new Error(`program run ${id} ${run.status}: ${run.error}`);
    return run;
  }
  const chunks = Math.max(1, Math.min(16, Math.ceil(households.length / 2000)));
  for (const p of [cash, school, disability]) {
    const run = await waitRun((await pm.request(sdk.EvaluateProgramDocument, { programId: p.id, chunks })).evaluateProgram.id);
    log(`eligibility: ${p.name}: ${run.processed} evaluated, ${run.eligible} eligible, ${run.notEligible} not eligible, ${run.errors} undecided`);
  }

  // ---- 4. cycles ----------------------------------------------------------------------------------
  const cycleName = "2026-03 (March)";
  async function cycleOf(p: { id: string; name: string }, stages: G2PClient[], submit: boolean) {
    const current = (await pm.request(sdk.ProgramDocument, { id: p.id })).program.cycles.find((c) => c.name === cycleName);
    let cycle = current ?? (await pm.request(sdk.CreateCycleDocument, { input: { programId: p.id, name: cycleName, startDate: "2026-03-01", endDate: "2026-03-31" } })).createCycle;
    if (cycle.state === "DRAFT") {
      await waitRun((await pm.request(sdk.CheckCycleEligibilityDocument, { cycleId: cycle.id, chunks })).checkCycleEligibility.id);
      await waitRun((await pm.request(sdk.GenerateEntitlementsDocument, { cycleId: cycle.id, chunks })).generateEntitlements.id);
      if (submit) cycle = (await pm.request(sdk.SubmitCycleDocument, { cycleId: cycle.id })).submitCycle;
    }
    for (const approverClient of stages) {
      if (cycle.state !== "TO_APPROVE" || cycle.approvedStages >= stages.indexOf(approverClient) + 1) continue;
      cycle = (await approverClient.request(sdk.ApproveCycleDocument, { cycleId: cycle.id, comment: "Checked against the budget line (demo)" })).approveCycle;
    }
    return cycle;
  }
  const cashCycle = await cycleOf(cash, [approver, director], true);
  const schoolCycle = await cycleOf(school, [approver], true);
  // The disability grant's cycle waits for its approver: something to approve on the dashboard.
  const disabilityCycle = await cycleOf(disability, [], true);
  log(`cycles: ${cash.name} ${cashCycle.state}, ${school.name} ${schoolCycle.state}, ${disability.name} ${disabilityCycle.state}`);

  // ---- 5. payments: the cash transfer to the heads' wallets ---------------------------------------
  const failureShare = opts.failureShare ?? 0.03;
  const refused = households.filter((h) => (h.data.index * 104_729) % 1000 < failureShare * 1000).map((h) => h.data.members[0]!.wallet!);
  opts.refuseWallets?.(refused);
  await finance.request(sdk.UpsertPaymentProviderDocument, { input: { code: PROVIDER, name: "M-Pesa (simulated)", kind: "WALLET", connector: "GSMA", endpointUrl: opts.mobileMoneyUrl } });
  const payable = await finance.all(sdk.PayableEntitlementsDocument, { cycleId: cashCycle.id }, (d) => d.payableEntitlements, { pageSize: 500 });
  const need = payable.reduce((s, e) => s + toMinor(e.amount), 0n);
  await finance.request(sdk.FundProgramDocument, { programCode: cash.id, currency: CURRENCY, amount: fromMinor(need), reference: `seed:${cashCycle.id}` });
  const perDistrict = new Map<string, sdk.PaymentInstructionInput[]>();
  for (const e of payable) {
    const h = byId.get(e.registrantId);
    if (!h) continue;
    const district = h.data.district.name;
    const list = perDistrict.get(district) ?? [];
    list.push({ instructionId: e.id, entitlementId: e.id, registrantId: e.registrantId, financialAddress: `mobile:${h.data.members[0]!.wallet}@${PROVIDER}`, amount: e.amount, note: `${cash.name} ${cycleName}` });
    perDistrict.set(district, list);
  }
  const batchIds: string[] = [];
  for (const [district, payments] of [...perDistrict].sort(([a], [b]) => a.localeCompare(b))) {
    for (let i = 0; i < payments.length; i += 2000) {
      const part = payments.slice(i, i + 2000);
      const batch = (
        await finance.request(sdk.CreateDisbursementBatchDocument, {
          input: { clientCorrelationId: `seed:${cashCycle.id}:${district}:${i / 2000}`, programCode: cash.id, currency: CURRENCY, purpose: `${cash.name} ${cycleName}, ${district}`, approvalRequired: true, payments: part },
        })
      ).createDisbursementBatch;
      batchIds.push(batch.id);
    }
  }
  const batches = await pool(batchIds, 4, async (id) => {
    const b = await until("batch validation", async () => (await approver.request(sdk.DisbursementBatchDocument, { id })).disbursementBatch, (b) => !["RECEIVED", "VALIDATING"].includes(b.status));
    if (b.status === "PENDING_APPROVAL") await approver.request(sdk.ApproveDisbursementBatchDocument, { id, note: "Within the funded amount (demo)" });
    return until(
      "disbursement",
      async () => (await finance.request(sdk.DisbursementBatchDocument, { id })).disbursementBatch,
      (b) => ["COMPLETED", "PARTIALLY_COMPLETED", "FAILED", "REJECTED", "CANCELLED", "AUTHORIZATION_DENIED"].includes(b.status),
    );
  });
  if (cashCycle.state === "APPROVED" && batches.some((b) => b.summary.completed > 0)) await finance.request(sdk.MarkCycleDistributedDocument, { cycleId: cashCycle.id });
  for (const b of batches) log(`payments: ${b.purpose}: ${b.status}, ${b.summary.completed}/${b.summary.total} paid (${b.summary.completedAmount} ${b.currency}), ${b.summary.failed} failed`);

  // ---- 6. vouchers: school feeding ----------------------------------------------------------------
  const voucherBatchId = `seed:${schoolCycle.id}`;
  const schoolPayable = await finance.all(sdk.PayableEntitlementsDocument, { cycleId: schoolCycle.id }, (d) => d.payableEntitlements, { pageSize: 500 });
  const existing = await finance.request(sdk.VoucherBatchDocument, { batchId: voucherBatchId }).catch((err) => {
    if (isG2PError(err, "NOT_FOUND")) return null;
    throw err;
  });
  let redeemed = 0;
  if (!existing && schoolPayable.length > 0) {
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const vouchers = schoolPayable
      .filter((e) => byId.has(e.registrantId))
      .map((e) => ({ instructionId: e.id, programId: school.id, cycleId: schoolCycle.id, registrantId: byId.get(e.registrantId)!.headId, value: e.amount, currency: CURRENCY, presenceRequired: true }));
    await finance.request(sdk.IssueVoucherBatchDocument, { input: { batchId: voucherBatchId, deliveryKey: JSON.stringify(publicKey.export({ format: "jwk" })), vouchers } });
    const vb = await until("voucher issuance", async () => (await finance.request(sdk.VoucherBatchDocument, { batchId: voucherBatchId })).voucherBatch, (b) => FINISHED.has(b.status));
    if (vb.status !== "COMPLETED") throw new Error(`voucher batch ${vb.status}: ${vb.error}`);
    const secrets = await decryptDeliveries(finance, voucherBatchId, privateKey);
    for (let i = 0; i < secrets.length; i += 1000) {
      await finance.request(sdk.ActivateVouchersDocument, { serialNumbers: secrets.slice(i, i + 1000).map((s) => s.serialNumber) });
    }
    redeemed = await redeemSome(secrets, vouchers);
    await finance.request(sdk.MarkCycleDistributedDocument, { cycleId: schoolCycle.id }).catch(() => undefined);
  }
  log(`vouchers: ${existing ? "already issued (batch " + voucherBatchId + ")" : `${schoolPayable.length} issued and activated, ${redeemed} redeemed at ${MERCHANT.name}`}`);

  async function redeemSome(secrets: { instructionId: string; serialNumber: string; secret: string }[], vouchers: { instructionId: string; registrantId: string }[]) {
    // The merchant: a relying party of the identity block (to check presence), approved at vouchers.
    const policyId = (await admin.request(sdk.CreateAuthPolicyDocument, {
      input: { name: `merchant presence check ${Date.now()}`, authTokenType: "PARTNER", allowedAuthTypes: [{ authType: "DEMO" }, { authType: "OTP" }], allowedKycAttributes: [] },
    })).createAuthPolicy.id;
    const partnerId = `${MERCHANT.code}-${Date.now().toString(36)}`;
    const credentials = await admin.request(sdk.CreateAuthPartnerDocument, { input: { id: partnerId, name: MERCHANT.name, policyId } });
    const merchant = (await admin.request(sdk.RegisterMerchantDocument, { input: { code: partnerId, name: MERCHANT.name, financialAddress: `mobile:254711000111@${PROVIDER}` } })).registerMerchant;
    await admin.request(sdk.SetMerchantStatusDocument, { id: merchant.id, status: "APPROVED" });
    const till = await as("merchant", `${partnerId}-till-1`, partnerId);
    const registrantOf = new Map(vouchers.map((v) => [v.instructionId, v.registrantId]));
    const headIndex = new Map(households.map((h) => [h.headId, h]));
    const candidates = secrets.filter((s) => {
      const h = headIndex.get(registrantOf.get(s.instructionId) ?? "");
      return h?.headUin && h.data.index % 20 !== 3; // verified heads whose birth date is right
    });
    const chosen = candidates.slice(0, Math.min(300, Math.ceil(candidates.length * (opts.redeemShare ?? 0.3))));
    let ok = 0;
    await pool(chosen, 4, async (s) => {
      const h = headIndex.get(registrantOf.get(s.instructionId)!)!;
      const transactionId = `redeem-${s.serialNumber}`;
      await till.request(sdk.AuthenticateDocument, {
        input: { individualId: h.headUin!, transactionId, requestTime: new Date().toISOString(), consentObtained: true, credentials: { apiKey: credentials.createAuthPartner.apiKey, licenseKey: credentials.createAuthPartner.licenseKey }, demographics: { dateOfBirth: h.data.members[0]!.birthDate } },
      });
      await till.request(sdk.RedeemVoucherDocument, { input: { secret: s.secret, presenceTransactionId: transactionId } });
      ok++;
    });
    return ok;
  }

  // ---- summary, read back through the graph -------------------------------------------------------
  return summarize(admin, { households: opts.households, imported, cash, school, disability, batchIds, identities: withId.length });
}

async function decryptDeliveries(client: G2PClient, batchId: string, key: KeyObject) {
  const out: { instructionId: string; serialNumber: string; secret: string }[] = [];
  for (const d of (await client.request(sdk.VoucherDeliveriesDocument, { batchId })).voucherDeliveries) {
    const { plaintext } = await compactDecrypt(d.jwe, key);
    out.push(...(JSON.parse(new TextDecoder().decode(plaintext)) as { instructionId: string; serialNumber: string; secret: string }[]).filter((v) => v.secret));
  }
  return out;
}

async function summarize(
  admin: G2PClient,
  ctx: { households: number; imported: { created: number; updated: number; unchanged: number; failedRows: number }; cash: { id: string }; school: { id: string }; disability: { id: string }; batchIds: string[]; identities: number },
): Promise<SeedSummary> {
  const stats = (await admin.request(sdk.RegistrantStatsDocument, { filter: { adminArea: "KE-047" } })).registrantStats;
  const kind = (k: string) => stats.byKind.find((b) => b.key === k)?.count ?? 0;
  const byDistrict: Record<string, number> = {};
  for (const d of DISTRICTS) byDistrict[d.name] = stats.byArea.filter((b) => b.key === d.code || b.key.startsWith(`${d.code}-`)).reduce((n, b) => n + b.count, 0);

  let verified = 0;
  let failed = 0;
  for await (const g of admin.paginate(sdk.HouseholdMembersIdentityDocument, {}, (d) => d.registrants, { pageSize: 500 })) {
    for (const m of g.members) {
      if (m.individual?.idVerification?.status === "VERIFIED") verified++;
      else if (m.individual?.idVerification?.status === "FAILED") failed++;
    }
  }

  const programs: SeedSummary["programs"] = [];
  for (const p of [ctx.cash, ctx.school, ctx.disability]) {
    const prog = (await admin.request(sdk.ProgramDocument, { id: p.id })).program;
    const count = (s: string) => prog.enrollmentCounts.find((c) => c.state === s)?.count ?? 0;
    const c = prog.cycles[0] ?? null;
    programs.push({
      id: prog.id,
      name: prog.name,
      enrolled: count("ENROLLED"),
      notEligible: count("NOT_ELIGIBLE"),
      cycle: c && { id: c.id, name: c.name, state: c.state, entitlements: c.totals.entitlements, totalAmount: c.totals.totalAmount },
    });
  }

  const payments = { batches: 0, payments: 0, completed: 0, failed: 0, completedAmount: "0.00", failedAmount: "0.00", statuses: [] as string[] };
  let paid = 0n;
  let lost = 0n;
  for (const id of ctx.batchIds) {
    const b = (await admin.request(sdk.DisbursementBatchDocument, { id })).disbursementBatch;
    payments.batches++;
    payments.payments += b.summary.total;
    payments.completed += b.summary.completed;
    payments.failed += b.summary.failed;
    payments.statuses.push(b.status);
    paid += toMinor(b.summary.completedAmount);
    lost += toMinor(b.summary.failedAmount);
  }
  payments.completedAmount = fromMinor(paid);
  payments.failedAmount = fromMinor(lost);

  const report = (await admin.request(sdk.VoucherReportDocument, { programId: ctx.school.id })).voucherReport;
  const vcount = (s: string) => report.byStatus.filter((b) => b.status === s).reduce((n, b) => n + b.count, 0);
  const value = report.byStatus.reduce((n, b) => n + toMinor(b.totalValue ?? "0"), 0n);
  return {
    households: ctx.households,
    registrants: { total: stats.total, groups: kind("GROUP"), individuals: kind("INDIVIDUAL"), byDistrict },
    import: { created: ctx.imported.created, updated: ctx.imported.updated, unchanged: ctx.imported.unchanged, failedRows: ctx.imported.failedRows },
    identity: { identities: ctx.identities, verified, failed },
    programs,
    payments,
    vouchers: { issued: report.byStatus.reduce((n, b) => n + b.count, 0), active: vcount("ACTIVE"), redeemed: vcount("UTILIZED"), totalValue: fromMinor(value) },
  };
}

export function formatSummary(s: SeedSummary): string {
  const lines = [
    "",
    "Demo data (read back through the graph):",
    `  registry     ${s.registrants.total} registrants in KE-047: ${s.registrants.groups} households, ${s.registrants.individuals} people`,
    `               by district: ${Object.entries(s.registrants.byDistrict).map(([d, n]) => `${d} ${n}`).join(", ")}`,
    `               this run's import: ${s.import.created} created, ${s.import.updated} updated, ${s.import.unchanged} unchanged, ${s.import.failedRows} refused`,
    `  identity     ${s.identity.identities} heads hold a national id; ${s.identity.verified} verified, ${s.identity.failed} failed verification`,
  ];
  for (const p of s.programs) {
    lines.push(`  program      ${p.name}: ${p.enrolled} enrolled, ${p.notEligible} not eligible`);
    if (p.cycle) lines.push(`               cycle ${p.cycle.name}: ${p.cycle.state}, ${p.cycle.entitlements} entitlements, ${p.cycle.totalAmount} KES`);
  }
  lines.push(
    `  payments     ${s.payments.batches} batches, ${s.payments.payments} payments: ${s.payments.completed} completed (${s.payments.completedAmount} KES), ${s.payments.failed} failed (${s.payments.failedAmount} KES)`,
    `  vouchers     ${s.vouchers.issued} issued (${s.vouchers.totalValue} KES): ${s.vouchers.active} active, ${s.vouchers.redeemed} redeemed`,
  );
  return lines.join("\n");
}
