/**
 * Redemption at a merchant: the merchant presents the secret (typed) or the QR (scanned); the
 * beneficiary proves presence through the identity block; then exactly one redemption wins.
 * Decision: a value voucher is redeemed whole (no partial redemption), as in Payment Hub EE: a
 * remainder would need change-giving rules per program and keeps a bearer secret alive.
 */
import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { audit, AuditEntry, auditFields, badInput, forbidden, notFound, userError, type AuditActor, type AuditEvent, type SubgraphContext } from "@g2p/kit";
import { vouchersConfig } from "../config";
import { hashSecret, isValidSecret } from "../domain/numbers";
import { verifyQr } from "../domain/qr";
import { Merchant, MerchantStatus } from "../entities/merchant.entity";
import { Redemption } from "../entities/redemption.entity";
import { VoucherEvent, VOUCHER_EVENT_COLUMNS } from "../entities/voucher-event.entity";
import { Voucher, VoucherStatus } from "../entities/voucher.entity";
import { assertProgramScope } from "./access";
import { insertRows } from "./bulk-insert";
import { isSqlite, sqliteStatement, withDriverConnection } from "./prepared-sql";
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

function assertMerchantUsable(code: string, merchant: Merchant | null): asserts merchant is Merchant {
  if (!merchant || merchant.status !== MerchantStatus.APPROVED) throw forbidden(`Merchant ${code} is not approved`);
  if (merchant.lockedUntil && merchant.lockedUntil > new Date()) {
    throw forbidden(`Merchant ${code} is locked after repeated wrong secrets until ${merchant.lockedUntil.toISOString()}`);
  }
}

/** `select` lists of the merchant and voucher columns, prefixed, built once from the ORM metadata. */
const selectLists = new WeakMap<object, { sql: string; redeemSql: string; merchant: [string, string][]; voucher: [string, string][] }>();

function lookupSql(em: EntityManager) {
  const metadata = em.getMetadata();
  let cached = selectLists.get(metadata);
  if (!cached) {
    const columns = (entity: typeof Merchant | typeof Voucher, alias: string): [string, string][] =>
      Object.values(metadata.get(entity.name).properties)
        .filter((p) => p.persist !== false && p.fieldNames?.length === 1)
        .map((p) => [p.fieldNames[0]!, `${alias}__${p.fieldNames[0]!}`]);
    // PostgreSQL: this block's tables live in its own schema (the ORM's default schema).
    const schema = em.config.get("schema");
    const table = (entity: typeof Merchant | typeof Voucher) => `${schema ? `"${schema}".` : ""}"${metadata.get(entity.name).tableName}"`;
    const merchant = columns(Merchant, "m");
    const voucher = columns(Voucher, "v");
    const list = (alias: string, cols: [string, string][]) => cols.map(([c, as]) => `${alias}."${c}" as "${as}"`).join(", ");
    cached = {
      merchant,
      voucher,
      sql: `select ${list("m", merchant)}, ${list("v", voucher)} from ${table(Merchant)} m left join ${table(Voucher)} v on v.secret_hash = ? where m.code = ?`,
      // The conditional UPDATE that decides a redemption (what nativeUpdate would build, built once).
      redeemSql:
        `update ${table(Voucher)} set "status" = '${VoucherStatus.UTILIZED}', "updated_at" = ? ` +
        `where "id" = ? and "status" = '${VoucherStatus.ACTIVE}' and ("expires_at" is null or "expires_at" > ?)`,
    };
    selectLists.set(metadata, cached);
  }
  return cached;
}

/**
 * The merchant (by its code) and the voucher (by the secret's HMAC) in one round trip, mapped to
 * entities by the ORM (types converted as for any read).
 */
async function merchantAndVoucher(em: EntityManager, code: string, secretHash: Buffer | null): Promise<{ merchant: Merchant | null; voucher: Voucher | null }> {
  const q = lookupSql(em);
  // SQLite: the statement prepared once per connection (see prepared-sql.ts); PostgreSQL: the ORM's path.
  const row = isSqlite(em)
    ? await withDriverConnection(em, (connection) => sqliteStatement(connection, q.sql).get([secretHash, code]))
    : (await em.getConnection().execute<Record<string, unknown>[]>(q.sql, [secretHash, code]))[0];
  if (!row) return { merchant: null, voucher: null };
  const pick = (cols: [string, string][]) => Object.fromEntries(cols.map(([c, as]) => [c, row[as]]));
  const merchant = em.map(Merchant, pick(q.merchant));
  const voucher = row[q.voucher.find(([c]) => c === "id")![1]] == null ? null : em.map(Voucher, pick(q.voucher));
  return { merchant, voucher };
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
  const code = ctx.viewer.partnerId;
  if (!code) throw forbidden("A merchant token (role merchant, partner_id = merchant code) is required");

  // The QR is checked before the merchant is read (its secret is the lookup key), but its refusal is
  // reported after the merchant's, as before: a merchant that may not redeem learns nothing more.
  let secret: string | null;
  let qrSerial: string | null = null;
  if (input.qr) {
    const claims = await verifyQr(em, input.qr);
    secret = claims?.vn ?? null;
    qrSerial = claims?.sn ?? null;
  } else {
    secret = input.secret!.trim();
  }
  const secretHash = secret !== null && isValidSecret(secret) ? hashSecret(secret, vouchersConfig().VOUCHER_SECRET_PEPPER) : null;
  const { merchant, voucher } = await merchantAndVoucher(em, code, secretHash);
  assertMerchantUsable(code, merchant);
  if (secret === null) throw userError("BAD_USER_INPUT", "The QR code is not a genuine voucher (bad or altered signature)", { field: "qr", reason: "FORGED_QR" });

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

  const redemption = Object.assign(new Redemption(), {
    voucherId: voucher.id,
    activeVoucherId: voucher.id,
    merchantId: merchant.id,
    programId: voucher.programId,
    amount: voucher.value ?? null,
    currency: voucher.currency ?? null,
    presenceTransactionId: input.presenceTransactionId ?? null,
    settlementId: null,
    payoutFailureReason: null,
    at: now,
  });
  const won = await commitRedemption(em, { ctx, voucher, merchantCode: merchant.code, redemption, now });
  if (!won) refuse(await em.fork().findOneOrFail(Voucher, voucher.id, { refresh: true }), "redeem");
  voucher.status = VoucherStatus.UTILIZED;
  return redemption;
}

interface PendingRedemption {
  ctx: AuditActor & { viewer: SubgraphContext["viewer"] };
  voucher: Voucher;
  merchantCode: string;
  redemption: Redemption;
  now: Date;
}

/**
 * Writes redemptions with group commit: the redemptions that arrive while a transaction is being
 * written wait and are written together in the next one (at most GROUP_MAX), so a commit (SQLite's
 * WAL write, PostgreSQL's WAL flush) is shared by many redemptions instead of paid by each. Inside the
 * transaction each redemption is still decided by its own conditional UPDATE (status still ACTIVE,
 * still unexpired), in voucher id order (a stable lock order across processes), so of two
 * redemptions of one voucher, in the same group or not, exactly one wins. Its history line,
 * redemption and two audit lines are multi-row INSERTs in that transaction. If a group's transaction
 * fails, each of its redemptions is retried alone, so an error reaches only the request it belongs to.
 */
const GROUP_MAX = 200;
/** Group transactions written and redemptions in them, since start (what the tests and benchmark read). */
export const groupCommitStats = { groups: 0, redemptions: 0 };
const writers = new WeakMap<object, { queue: { item: PendingRedemption; resolve: (won: boolean) => void; reject: (err: unknown) => void }[]; running: boolean }>();

function commitRedemption(em: EntityManager, item: PendingRedemption): Promise<boolean> {
  const key = em.getDriver();
  let writer = writers.get(key);
  if (!writer) writers.set(key, (writer = { queue: [], running: false }));
  const w = writer;
  return new Promise<boolean>((resolve, reject) => {
    w.queue.push({ item, resolve, reject });
    if (!w.running) {
      w.running = true;
      void (async () => {
        try {
          while (w.queue.length) {
            // One turn of the event loop before taking the group: requests already received (HTTP
            // requests arrive one by one, and the synchronous SQLite driver resolves a whole
            // redemption in microtasks) reach the queue first. Without it, every HTTP redemption was
            // committed alone (measured: see docs/vouchers.md, Performance).
            await new Promise<void>((resolve) => setImmediate(resolve));
            const group = w.queue.splice(0, GROUP_MAX);
            groupCommitStats.groups++;
            groupCommitStats.redemptions += group.length;
            try {
              const won = await writeGroup(em, group.map((g) => g.item));
              group.forEach((g, i) => g.resolve(won[i]!));
            } catch {
              for (const g of group) {
                try {
                  g.resolve((await writeGroup(em, [g.item]))[0]!);
                } catch (err) {
                  g.reject(err);
                }
              }
            }
          }
        } finally {
          w.running = false;
        }
      })();
    }
  });
}

const REDEMPTION_COLUMNS = [
  "id", "voucherId", "activeVoucherId", "merchantId", "programId", "amount", "currency", "presenceTransactionId",
  "reimbursementStatus", "settlementId", "payoutFailureReason", "at",
] as const;
const AUDIT_COLUMNS = ["id", "at", "actor", "actorRoles", "action", "entityType", "entityId", "changes", "requestId", "ip"] as const;

async function writeGroup(em: EntityManager, items: PendingRedemption[]): Promise<boolean[]> {
  const order = items.map((_, i) => i).sort((a, b) => (items[a]!.voucher.id < items[b]!.voucher.id ? -1 : items[a]!.voucher.id > items[b]!.voucher.id ? 1 : 0));
  const won = items.map(() => false);
  await em.fork().transactional(async (tx) => {
    const { redeemSql } = lookupSql(tx);
    const platform = tx.getPlatform();
    const connection = tx.getConnection();
    const sqlite = isSqlite(tx);
    for (const i of order) {
      const { voucher, now } = items[i]!;
      const at = platform.processDateProperty(now);
      const params = [at, voucher.id, at];
      won[i] = sqlite
        ? (await withDriverConnection(tx, (c) => sqliteStatement(c, redeemSql).run(params))).changes === 1
        : (await connection.execute<{ affectedRows: number }>(redeemSql, params, "run", tx.getTransactionContext())).affectedRows === 1;
    }
    const winners = order.filter((i) => won[i]).map((i) => items[i]!);
    if (!winners.length) return;
    // Prepared multi-row INSERTs with bound values (see bulk-insert.ts), not the ORM's formatted SQL.
    await insertRows(
      tx,
      VoucherEvent.name,
      VOUCHER_EVENT_COLUMNS,
      winners.map(({ ctx, voucher, now }) => ({ id: randomUUID(), voucherId: voucher.id, fromStatus: VoucherStatus.ACTIVE, toStatus: VoucherStatus.UTILIZED, action: "redeem", reason: null, actor: ctx.viewer.sub ?? "system", at: now })),
    );
    await insertRows(
      tx,
      Redemption.name,
      REDEMPTION_COLUMNS,
      winners.map(({ redemption }) => ({ ...redemption })),
    );
    await insertRows(
      tx,
      AuditEntry.name,
      AUDIT_COLUMNS,
      winners.flatMap(({ ctx, voucher, merchantCode, redemption, now }) => [
        auditRow(ctx, now, {
          action: "voucher.redeem",
          entityType: "Voucher",
          entityId: voucher.id,
          changes: { status: { from: VoucherStatus.ACTIVE, to: VoucherStatus.UTILIZED } },
        }),
        auditRow(ctx, now, {
          action: "voucher.redemption",
          entityType: "Redemption",
          entityId: redemption.id,
          changes: { voucherId: voucher.id, serialNumber: voucher.serialNumber, merchant: merchantCode, amount: voucher.value, currency: voucher.currency },
        }),
      ]) as unknown as Record<string, unknown>[],
    );
  });
  return won;
}

/** The audit line kit's `audit()` would add, as a plain row for an INSERT. */
function auditRow(actor: AuditActor, at: Date, event: AuditEvent): AuditEntry {
  return { id: randomUUID(), at, ...auditFields(actor, event) };
}
