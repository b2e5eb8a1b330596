import { assertCurrency, audit, badInput, fromMinorUnits, toMinorUnits, type SubgraphContext } from "@g2p/kit";
import { Arg, Authorized, Ctx, Field, ID, Mutation, ObjectType, Query, Resolver } from "type-graphql";
import { JournalEntry, JournalLine, LedgerAccount } from "../entities/ledger.entity";
import type { PaymentsLoaders } from "../loaders";
import { accountCodes, post, trialBalance } from "../services/ledger.service";

type PaymentsContext = SubgraphContext<PaymentsLoaders>;

@ObjectType()
export class TrialBalance {
  @Field({ description: "Sum of all account balances: 0.00 when the ledger balances." }) balances!: string;
  @Field({ description: "Sum of debits minus credits over all journal lines: 0.00." }) lines!: string;
  @Field() entries!: number;
}

@Resolver(() => LedgerAccount)
export class LedgerResolver {
  @Authorized("payment:read")
  @Query(() => [LedgerAccount], { description: "Ledger accounts, optionally by code prefix (FUNDING:, PAYABLE:, SETTLEMENT:, TREASURY:)." })
  ledgerAccounts(@Ctx() ctx: PaymentsContext, @Arg("prefix", { nullable: true }) prefix?: string) {
    return ctx.em.find(LedgerAccount, prefix ? { code: { $like: `${prefix.replace(/[%_]/g, "")}%` } } : {}, { orderBy: { code: "asc" }, limit: 1000 });
  }

  @Authorized("payment:read")
  @Query(() => [JournalLine], { description: "Lines of the journal entries of a batch (at most 1,000)." })
  async journalLines(@Arg("batchId", () => ID) batchId: string, @Ctx() ctx: PaymentsContext) {
    const entries = await ctx.em.find(JournalEntry, { batchId }, { fields: ["id"], limit: 1000 });
    return ctx.em.find(JournalLine, { entryId: { $in: entries.map((e) => e.id) } }, { limit: 1000 });
  }

  @Authorized("payment:read")
  @Query(() => TrialBalance)
  async trialBalance(@Ctx() ctx: PaymentsContext): Promise<TrialBalance> {
    const t = await trialBalance(ctx.em);
    return { balances: fromMinorUnits(t.balances), lines: fromMinorUnits(t.lines), entries: t.entries };
  }

  @Authorized("payment:write")
  @Mutation(() => LedgerAccount, { description: "Credits a program's funding account from the treasury; idempotent by reference." })
  async fundProgram(
    @Arg("programCode") programCode: string,
    @Arg("currency") currency: string,
    @Arg("amount") amount: string,
    @Arg("reference") reference: string,
    @Ctx() ctx: PaymentsContext,
  ): Promise<LedgerAccount> {
    assertCurrency(currency);
    if (!reference.trim() || reference.length > 150) throw badInput("reference must be 1 to 150 characters", "reference");
    const minor = toMinorUnits(amount);
    return ctx.em.fork().transactional(async (tx) => {
      const funding = accountCodes.funding(programCode);
      const posted = await post(tx, {
        key: `fund:${reference}`,
        description: `funding of ${programCode} (${reference})`,
        currency,
        lines: [
          { account: funding, amount: minor },
          { account: accountCodes.treasury(currency), amount: -minor },
        ],
      });
      if (posted) audit(tx, ctx, { action: "ledger.fund", entityType: "LedgerAccount", entityId: funding, changes: { amount: fromMinorUnits(minor), currency, reference } });
      return tx.findOneOrFail(LedgerAccount, { code: funding }, { refresh: true });
    });
  }
}
