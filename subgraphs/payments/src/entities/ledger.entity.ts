import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property, Unique } from "@mikro-orm/core";
import { Field, ID, ObjectType, registerEnumType } from "type-graphql";
import { MoneyType } from "@g2p/kit";

export enum AccountType {
  ASSET = "ASSET",
  LIABILITY = "LIABILITY",
  EQUITY = "EQUITY",
}
registerEnumType(AccountType, { name: "LedgerAccountType" });

/**
 * A ledger account. `balance` is signed, debit-positive (assets grow with debits; liabilities and
 * equity are negative when they hold money), so the sum over all accounts is always zero.
 */
@Entity({ tableName: "ledger_account" })
@ObjectType("LedgerAccount")
export class LedgerAccount {
  [OptionalProps]?: "id" | "balance" | "held" | "createdAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field({ description: "e.g. FUNDING:<program>, PAYABLE:<program>, SETTLEMENT:<provider>, TREASURY." })
  @Property({ type: "string", length: 150 })
  @Unique()
  code!: string;

  @Field(() => AccountType)
  @Enum({ items: () => AccountType })
  type!: AccountType;

  @Field()
  @Property({ type: "string", length: 3 })
  currency!: string;

  @Field({ description: "Signed, debit-positive, exact decimal string." })
  @Property({ type: MoneyType })
  balance: string = "0.00";

  @Field({ description: "Sum of open holds still reserved on this account." })
  @Property({ type: MoneyType })
  held: string = "0.00";

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}

/** A balanced journal entry; `idempotencyKey` makes every posting happen at most once. */
@Entity({ tableName: "journal_entry" })
@Index({ properties: ["batchId"] })
@ObjectType()
export class JournalEntry {
  [OptionalProps]?: "id" | "createdAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field()
  @Property({ type: "string", length: 200 })
  @Unique()
  idempotencyKey!: string;

  @Field()
  @Property({ type: "string", length: 300 })
  description!: string;

  @Field(() => ID, { nullable: true })
  @Property({ type: "uuid", nullable: true })
  batchId?: string | null;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}

@Entity({ tableName: "journal_line" })
@Index({ properties: ["entryId"] })
@Index({ properties: ["accountId"] })
@ObjectType()
export class JournalLine {
  [OptionalProps]?: "id";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Property({ type: "uuid" })
  entryId!: string;

  @Property({ type: "uuid" })
  accountId!: string;

  @Field()
  @Property({ type: "string", length: 150 })
  accountCode!: string;

  @Field({ description: "Debit amount (0.00 when a credit line)." })
  @Property({ type: MoneyType })
  debit!: string;

  @Field({ description: "Credit amount (0.00 when a debit line)." })
  @Property({ type: MoneyType })
  credit!: string;
}

export enum HoldStatus {
  OPEN = "OPEN",
  CLOSED = "CLOSED",
}
registerEnumType(HoldStatus, { name: "LedgerHoldStatus" });

/** Funds reserved on an account (budget authorization of a batch); consumed as payments settle. */
@Entity({ tableName: "ledger_hold" })
@Index({ properties: ["batchId", "status"] })
@ObjectType()
export class LedgerHold {
  [OptionalProps]?: "id" | "status" | "consumed" | "createdAt";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field()
  @Property({ type: "string", length: 200 })
  @Unique()
  key!: string;

  @Property({ type: "uuid" })
  accountId!: string;

  @Field(() => ID, { nullable: true })
  @Property({ type: "uuid", nullable: true })
  batchId?: string | null;

  @Field()
  @Property({ type: MoneyType })
  amount!: string;

  @Field()
  @Property({ type: MoneyType })
  consumed: string = "0.00";

  @Field(() => HoldStatus)
  @Enum({ items: () => HoldStatus })
  status: HoldStatus = HoldStatus.OPEN;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();
}
