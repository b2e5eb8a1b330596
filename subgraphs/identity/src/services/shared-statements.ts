/**
 * The authentication path's statements that concurrent requests share (see coalesce.ts): the
 * auth_transaction INSERT (group commit), the identity lookup by UIN hash, the latest OTP of an
 * identity (one IN-list each) and the single use of an OTP (one conditional UPDATE).
 */
import type { Otp } from "../entities/auth.entities";
import type { Identity } from "../entities/identity.entity";
import { Coalescer } from "./coalesce";
import { identitiesWhereIn, insertAuthTransactions, latestOtps, useOtps, type AuthTransactionRow } from "./fast-path";

/** Items per statement: 10 parameters per row at most, well under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_BATCH = 500;

export function sharedStatements() {
  return {
    /**
     * Records an attempt; resolves once its row is committed (so an attempt is never answered and then
     * lost), or written in the caller's transaction when there is one.
     */
    recordAuthTransaction: new Coalescer<AuthTransactionRow, void>(async (em, rows) => {
      await insertAuthTransactions(em, rows);
      return rows.map(() => undefined);
    }, MAX_BATCH),
    /** The identity with this UIN hash, or null; each caller gets its own copy of the row. */
    identityByUinHash: new Coalescer<string, Identity | null>(async (em, hashes) => {
      const found = await identitiesWhereIn(em, "uin_hash", [...new Set(hashes)]);
      const byHash = new Map(found.map((i) => [i.uinHash, i]));
      return hashes.map((h) => {
        const identity = byHash.get(h);
        return identity ? ({ ...identity } as Identity) : null;
      });
    }, MAX_BATCH),
    /** The identity's latest OTP, or null; each caller gets its own copy. */
    latestOtp: new Coalescer<string, Otp | null>(async (em, identityIds) => {
      const latest = await latestOtps(em, identityIds);
      return identityIds.map((id) => {
        const otp = latest.get(id);
        return otp ? ({ ...otp } as Otp) : null;
      });
    }, MAX_BATCH),
    /**
     * Marks an ACTIVE OTP USED: true for the one caller that did it. Two uses of one code in the same
     * statement: the first queued wins, the other is told it was already used (single use holds).
     */
    useOtp: new Coalescer<string, boolean>(async (em, otpIds) => {
      const used = await useOtps(em, otpIds);
      return otpIds.map((id) => used.delete(id));
    }, MAX_BATCH),
  };
}

export type SharedStatements = ReturnType<typeof sharedStatements>;
