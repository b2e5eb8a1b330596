/**
 * The authentication hot path, in plain SQL. MikroORM's find/insert cost ~0.5 ms of CPU per call in
 * query building and hydration (measured: 0.65 vs 0.15 ms for the same lookup); an authentication
 * does two or three of them, which alone would cap a process well under the 1,000 auth/s target.
 * These read-only lookups and the append-only auth_transaction insert go straight to the connection,
 * with bind parameters (the kit's `sqlRows` / `sqlRun`: no value is formatted into the SQL text);
 * everything that changes state keeps going through the ORM and its unit of work.
 */
import type { EntityManager } from "@mikro-orm/core";
import { sqlRows, sqlRun, type SqlValue } from "@g2p/kit";
import type { Identity, IdentityStatus } from "../entities/identity.entity";
import type { Otp, OtpStatus, RequestType } from "../entities/auth.entities";
import type { Vid, VidStatus, VidType } from "../entities/vid.entity";

const isPg = (em: EntityManager) => em.getPlatform().constructor.name.startsWith("PostgreSql");

export function table(em: EntityManager, name: string): string {
  const schema = isPg(em) ? (em.config.get("schema") as string | undefined) : undefined;
  return schema ? `"${schema}"."${name}"` : `"${name}"`;
}

const toDate = (v: unknown): Date | null => (v == null ? null : v instanceof Date ? v : new Date(typeof v === "string" && /^\d+$/.test(v) ? Number(v) : (v as number)));
const toBool = (v: unknown) => v === true || v === 1 || v === "1" || v === "t";

type Row = Record<string, unknown>;

function identityFrom(r: Row): Identity {
  return {
    id: r.id as string,
    status: r.status as IdentityStatus,
    uinHash: r.uin_hash as string,
    uinSealed: r.uin_sealed as string,
    personToken: r.person_token as string,
    demographicsSealed: r.demographics_sealed as string,
    biometricReferenceId: (r.biometric_reference_id as string | null) ?? null,
    hasAuthLocks: toBool(r.has_auth_locks),
    otpFrozenUntil: toDate(r.otp_frozen_until),
    createdAt: toDate(r.created_at)!,
    updatedAt: toDate(r.updated_at)!,
  } as Identity;
}

async function one(em: EntityManager, sql: string, params: SqlValue[]): Promise<Row | null> {
  const rows = await sqlRows(em, sql, params);
  return rows[0] ?? null;
}

export async function identityBy(em: EntityManager, column: "uin_hash" | "id", value: string): Promise<Identity | null> {
  const row = await one(em, `select * from ${table(em, "identity")} where ${column} = ?`, [value]);
  return row ? identityFrom(row) : null;
}

export async function vidByHash(em: EntityManager, vidHash: string): Promise<Vid | null> {
  const r = await one(em, `select * from ${table(em, "vid")} where vid_hash = ?`, [vidHash]);
  return r ? vidFrom(r) : null;
}

function vidFrom(r: Row): Vid {
  return {
    id: r.id as string,
    identityId: r.identity_id as string,
    vidHash: r.vid_hash as string,
    vidSealed: r.vid_sealed as string,
    type: r.type as VidType,
    status: r.status as VidStatus,
    expiresAt: toDate(r.expires_at),
    transactionsAllowed: r.transactions_allowed == null ? null : Number(r.transactions_allowed),
    transactionsUsed: Number(r.transactions_used),
    replacedById: (r.replaced_by_id as string | null) ?? null,
    createdAt: toDate(r.created_at)!,
  } as Vid;
}

export interface AuthTransactionRow {
  id: string;
  identityId: string | null;
  partnerId: string;
  transactionId: string;
  requestType: RequestType;
  idType: string;
  success: boolean;
  errorCode: string | null;
  token: string | null;
  createdAt: Date;
}

const AUTH_TRANSACTION_COLUMNS = "(id, identity_id, partner_id, transaction_id, request_type, id_type, success, error_code, token, created_at)";

/** auth_transaction rows in one multi-row INSERT (see auth-transactions.ts for who batches them). */
export async function insertAuthTransactions(em: EntityManager, rows: AuthTransactionRow[]): Promise<void> {
  if (!rows.length) return;
  const params: SqlValue[] = [];
  for (const r of rows) params.push(r.id, r.identityId, r.partnerId, r.transactionId, r.requestType, r.idType, r.success, r.errorCode, r.token, r.createdAt);
  await sqlRun(em, `insert into ${table(em, "auth_transaction")} ${AUTH_TRANSACTION_COLUMNS} values ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`, params);
}

/** Parameter for a datetime column: epoch milliseconds on SQLite (as MikroORM stores them), Date on PostgreSQL. */
export const dateParam = (em: EntityManager, d: Date | null) => (d == null ? null : isPg(em) ? d : d.getTime());
export const boolParam = (em: EntityManager, b: boolean) => (isPg(em) ? b : b ? 1 : 0);

/**
 * Multi-row INSERT in batches (SQLite allows 32,766 parameters per statement), optionally as an upsert
 * on `conflict` (ON CONFLICT ... DO UPDATE, understood by both SQLite ≥ 3.24 and PostgreSQL).
 */
export async function bulkInsert(em: EntityManager, name: string, columns: string[], rows: SqlValue[][], conflict?: string): Promise<void> {
  const per = Math.max(1, Math.floor(30_000 / columns.length));
  const tuple = `(${columns.map(() => "?").join(", ")})`;
  const update = conflict
    ? ` on conflict ("${conflict}") do update set ${columns.filter((c) => c !== conflict).map((c) => `"${c}" = excluded."${c}"`).join(", ")}`
    : "";
  for (let i = 0; i < rows.length; i += per) {
    const batch = rows.slice(i, i + per);
    await sqlRun(em, `insert into ${table(em, name)} (${columns.map((c) => `"${c}"`).join(", ")}) values ${batch.map(() => tuple).join(", ")}${update}`, batch.flat());
  }
}

/** Identities whose `column` is one of `values`, in one query per 5,000 values. */
export async function identitiesWhereIn(em: EntityManager, column: "uin_hash" | "id", values: string[]): Promise<Identity[]> {
  const out: Identity[] = [];
  for (let i = 0; i < values.length; i += 5000) {
    const part = values.slice(i, i + 5000);
    const rows = await sqlRows(em, `select * from ${table(em, "identity")} where ${column} in (${part.map(() => "?").join(", ")})`, part);
    out.push(...rows.map(identityFrom));
  }
  return out;
}

export async function vidsWhereHashIn(em: EntityManager, hashes: string[]): Promise<Vid[]> {
  if (!hashes.length) return [];
  const rows = await sqlRows(em, `select * from ${table(em, "vid")} where vid_hash in (${hashes.map(() => "?").join(", ")})`, hashes);
  return rows.map(vidFrom);
}

export async function deleteById(em: EntityManager, name: string, id: string): Promise<void> {
  await sqlRun(em, `delete from ${table(em, name)} where id = ?`, [id]);
}

function otpFrom(r: Row): Otp {
  return {
    id: r.id as string,
    identityId: r.identity_id as string,
    partnerId: r.partner_id as string,
    transactionId: r.transaction_id as string,
    codeHash: r.code_hash as string,
    status: r.status as OtpStatus,
    failures: Number(r.failures),
    expiresAt: toDate(r.expires_at)!,
    createdAt: toDate(r.created_at)!,
  } as Otp;
}

/**
 * The latest OTP (by creation, then id, as the ORM's findOne with that order would return it) of each
 * identity, in one statement; identities without one are absent from the map.
 */
export async function latestOtps(em: EntityManager, identityIds: string[]): Promise<Map<string, Otp>> {
  const ids = [...new Set(identityIds)];
  const rows = await sqlRows(
    em,
    `select * from (select o.*, row_number() over (partition by identity_id order by created_at desc, id desc) as latest from ${table(em, "otp")} o where identity_id in (${ids.map(() => "?").join(", ")})) ranked where latest = 1`,
    ids,
  );
  return new Map(rows.map((r) => [r.identity_id as string, otpFrom(r)]));
}

/**
 * Marks ACTIVE OTPs USED, in one statement; the ids this call moved from ACTIVE (the others were no
 * longer ACTIVE: used concurrently, frozen). UPDATE ... RETURNING: SQLite ≥ 3.35 and PostgreSQL.
 */
export async function useOtps(em: EntityManager, otpIds: string[]): Promise<Set<string>> {
  const ids = [...new Set(otpIds)];
  const rows = await sqlRows(em, `update ${table(em, "otp")} set status = 'USED' where status = 'ACTIVE' and id in (${ids.map(() => "?").join(", ")}) returning id`, ids);
  return new Set(rows.map((r) => r.id as string));
}
