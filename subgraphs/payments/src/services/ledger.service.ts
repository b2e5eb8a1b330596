/**
 * Double-entry ledger: accounts with signed debit-positive balances, balanced journal entries posted
 * at most once per idempotency key, and holds (reserved funds) for budget authorization.
 * Everything here runs inside the caller's transaction: a posting commits with the state change it
 * records, or not at all.
 */
import { randomUUID } from "node:crypto";
import { LockMode, type EntityManager } from "@mikro-orm/core";
import { badInput, decimalToMinor, fromMinorUnits, userError } from "@g2p/kit";
import { AccountType, HoldStatus, JournalEntry, JournalLine, LedgerAccount, LedgerHold } from "../entities/ledger.entity";
import { isSqlite, minorToRawMoney, rawMoneyToMinor, tableOf } from "./sql";

export const accountCodes = {
  treasury: (currency: string) => `TREASURY:${currency}`,
  funding: (program: string) => `FUNDING:${program}`,
  payable: (program: string) => `PAYABLE:${program}`,
  settlement: (provider: string) => `SETTLEMENT:${provider}`,
};

const TYPE_OF: Record<string, AccountType> = {
  TREASURY: AccountType.EQUITY,
  FUNDING: AccountType.ASSET,
  PAYABLE: AccountType.LIABILITY,
  SETTLEMENT: AccountType.ASSET,
};

export interface PostingLine {
  account: string;
  /** Positive = debit, negative = credit, in minor units. */
  amount: bigint;
}

export interface Posting {
  key: string;
  description: string;
  currency: string;
  batchId?: string | null;
  lines: PostingLine[];
}

function lock(em: EntityManager) {
  return isSqlite(em) ? {} : { lockMode: LockMode.PESSIMISTIC_WRITE };
}

/** Finds or creates accounts by code (type from the code's prefix), in one query for the lookup. */
export async function ensureAccounts(em: EntityManager, codes: string[], currency: string): Promise<Map<string, LedgerAccount>> {
  const unique = [...new Set(codes)];
  const found = await em.find(LedgerAccount, { code: { $in: unique } });
  const byCode = new Map(found.map((a) => [a.code, a]));
  for (const code of unique) {
    if (byCode.has(code)) {
      if (byCode.get(code)!.currency !== currency) throw badInput(`account ${code} is in ${byCode.get(code)!.currency}, not ${currency}`, "currency");
      continue;
    }
    const type = TYPE_OF[code.split(":")[0]!];
    if (!type) throw badInput(`unknown account kind in ${code}`, "account");
    await em.insert(LedgerAccount, { id: randomUUID(), code, type, currency, balance: "0.00", held: "0.00", createdAt: new Date() } as LedgerAccount);
    byCode.set(code, (await em.findOneOrFail(LedgerAccount, { code }))!);
  }
  return byCode;
}

/**
 * Posts a balanced entry once: a second call with the same key does nothing and returns false.
 * Lines on the same account are merged; zero lines dropped; debits must equal credits.
 */
export async function post(em: EntityManager, posting: Posting): Promise<boolean> {
  const merged = new Map<string, bigint>();
  for (const l of posting.lines) merged.set(l.account, (merged.get(l.account) ?? 0n) + l.amount);
  const lines = [...merged].filter(([, v]) => v !== 0n);
  const sum = lines.reduce((a, [, v]) => a + v, 0n);
  if (sum !== 0n) throw userError("CONFLICT", `journal entry ${posting.key} is not balanced (off by ${fromMinorUnits(sum)})`);
  if (lines.length === 0) return false;
  if (await em.count(JournalEntry, { idempotencyKey: posting.key })) return false;
  const accounts = await ensureAccounts(em, lines.map(([code]) => code), posting.currency);
  const entryId = randomUUID();
  await em.insert(JournalEntry, {
    id: entryId,
    idempotencyKey: posting.key,
    description: posting.description.slice(0, 300),
    batchId: posting.batchId ?? null,
    createdAt: new Date(),
  } as JournalEntry);
  await em.insertMany(
    JournalLine,
    lines.map(([code, v]) => ({
      id: randomUUID(),
      entryId,
      accountId: accounts.get(code)!.id,
      accountCode: code,
      debit: fromMinorUnits(v > 0n ? v : 0n),
      credit: fromMinorUnits(v < 0n ? -v : 0n),
    })) as JournalLine[],
  );
  const conn = em.getConnection();
  for (const [code, v] of lines) {
    await conn.execute(`update ${tableOf(em, LedgerAccount)} set balance = balance + ? where code = ?`, [minorToRawMoney(em, v), code], "run", em.getTransactionContext());
  }
  return true;
}

/** Balance minus open holds, for an asset account (minor units). */
export function available(account: LedgerAccount): bigint {
  return decimalToMinor(account.balance) - decimalToMinor(account.held);
}

/**
 * Reserves `amount` on an account if its available balance covers it. Idempotent by key: a second
 * call returns the existing hold. Returns null when funds are insufficient.
 */
export async function placeHold(em: EntityManager, key: string, accountCode: string, currency: string, amount: bigint, batchId: string | null): Promise<LedgerHold | null> {
  const existing = await em.findOne(LedgerHold, { key });
  if (existing) return existing;
  await ensureAccounts(em, [accountCode], currency);
  const account = await em.findOneOrFail(LedgerAccount, { code: accountCode }, { ...lock(em), refresh: true });
  if (available(account) < amount) return null;
  const hold = em.create(LedgerHold, { key, accountId: account.id, amount: fromMinorUnits(amount), batchId });
  account.held = fromMinorUnits(decimalToMinor(account.held) + amount);
  await em.flush();
  return hold;
}

/** Marks `amount` of an open hold as spent: the posting that spends it lowers the balance instead. */
export async function consumeHold(em: EntityManager, hold: LedgerHold, amount: bigint): Promise<void> {
  if (amount === 0n) return;
  const left = decimalToMinor(hold.amount) - decimalToMinor(hold.consumed);
  const take = amount > left ? left : amount;
  hold.consumed = fromMinorUnits(decimalToMinor(hold.consumed) + take);
  await em.getConnection().execute(`update ${tableOf(em, LedgerAccount)} set held = held - ? where id = ?`, [minorToRawMoney(em, take), hold.accountId], "run", em.getTransactionContext());
}

/** Closes a hold, releasing what it did not spend. */
export async function closeHold(em: EntityManager, hold: LedgerHold): Promise<void> {
  if (hold.status === HoldStatus.CLOSED) return;
  const left = decimalToMinor(hold.amount) - decimalToMinor(hold.consumed);
  hold.status = HoldStatus.CLOSED;
  if (left > 0n) {
    await em.getConnection().execute(`update ${tableOf(em, LedgerAccount)} set held = held - ? where id = ?`, [minorToRawMoney(em, left), hold.accountId], "run", em.getTransactionContext());
  }
}

/** Sum of all balances (must be zero) and of all journal lines' debits minus credits (must be zero). */
export async function trialBalance(em: EntityManager): Promise<{ balances: bigint; lines: bigint; entries: number }> {
  const accounts = await em.find(LedgerAccount, {});
  const balances = accounts.reduce((a, acc) => a + decimalToMinor(acc.balance), 0n);
  const rows = await em.getConnection().execute<{ d: unknown; c: unknown }[]>(`select sum(debit) as d, sum(credit) as c from ${tableOf(em, JournalLine)}`);
  const lines = rawMoneyToMinor(em, rows[0]?.d) - rawMoneyToMinor(em, rows[0]?.c);
  return { balances, lines, entries: await em.count(JournalEntry, {}) };
}
