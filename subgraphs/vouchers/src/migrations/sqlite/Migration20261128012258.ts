import { Migration } from '@mikro-orm/migrations';

/**
 * Settlements, cycle issuance, areas. Generated, then edited: SQLite cannot alter a CHECK constraint,
 * so `redemption` is rebuilt (its reimbursement_status gains SUBMITTED; the unique key moves from
 * voucher_id to active_voucher_id, back-filled for existing redemptions). The generator's rebuilds of
 * `merchant` and `voucher_event` changed nothing and were removed.
 */
export class Migration20261128012258 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`voucher_settlement\` (\`id\` text not null, \`merchant_id\` text not null, \`program_id\` text not null, \`currency\` text not null, \`client_correlation_id\` text not null, \`redemption_count\` integer not null, \`total_amount\` integer not null, \`financial_address\` text not null, \`status\` text check (\`status\` in ('CREATED', 'SUBMITTED', 'COMPLETED', 'PARTIALLY_PAID', 'FAILED')) not null default 'CREATED', \`status_reason\` text null, \`payments_batch_id\` text null, \`job_id\` text null, \`paid_count\` integer null, \`failed_count\` integer null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`voucher_settlement_client_correlation_id_unique\` on \`voucher_settlement\` (\`client_correlation_id\`);`);
    this.addSql(`create index \`voucher_settlement_merchant_id_created_at_index\` on \`voucher_settlement\` (\`merchant_id\`, \`created_at\`);`);
    this.addSql(`create index \`voucher_settlement_status_index\` on \`voucher_settlement\` (\`status\`);`);

    this.addSql(`create table \`redemption__temp_alter\` (\`id\` text not null, \`voucher_id\` text not null, \`active_voucher_id\` text null, \`merchant_id\` text not null, \`program_id\` text not null, \`amount\` integer null, \`currency\` text null, \`presence_transaction_id\` text null, \`reimbursement_status\` text check (\`reimbursement_status\` in ('PENDING', 'SUBMITTED', 'PAID', 'FAILED')) not null default 'PENDING', \`settlement_id\` text null, \`payout_failure_reason\` text null, \`at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`insert into \`redemption__temp_alter\` (\`id\`, \`voucher_id\`, \`active_voucher_id\`, \`merchant_id\`, \`program_id\`, \`amount\`, \`currency\`, \`presence_transaction_id\`, \`reimbursement_status\`, \`at\`) select \`id\`, \`voucher_id\`, \`voucher_id\`, \`merchant_id\`, \`program_id\`, \`amount\`, \`currency\`, \`presence_transaction_id\`, \`reimbursement_status\`, \`at\` from \`redemption\`;`);
    this.addSql(`drop table \`redemption\`;`);
    this.addSql(`alter table \`redemption__temp_alter\` rename to \`redemption\`;`);
    this.addSql(`create unique index \`redemption_active_voucher_id_unique\` on \`redemption\` (\`active_voucher_id\`);`);
    this.addSql(`create index \`redemption_voucher_id_index\` on \`redemption\` (\`voucher_id\`);`);
    this.addSql(`create index \`redemption_program_id_merchant_id_index\` on \`redemption\` (\`program_id\`, \`merchant_id\`);`);
    this.addSql(`create index \`redemption_merchant_id_at_index\` on \`redemption\` (\`merchant_id\`, \`at\`);`);
    this.addSql(`create index \`redemption_merchant_id_reimbursement_status_index\` on \`redemption\` (\`merchant_id\`, \`reimbursement_status\`);`);
    this.addSql(`create index \`redemption_settlement_id_index\` on \`redemption\` (\`settlement_id\`);`);

    this.addSql(`alter table \`voucher\` add column \`area_code\` text null;`);
    this.addSql(`create index \`voucher_cycle_id_index\` on \`voucher\` (\`cycle_id\`);`);

    this.addSql(`alter table \`voucher_batch\` add column \`cycle_id\` text null;`);
    this.addSql(`alter table \`voucher_batch\` add column \`options\` json null;`);
  }

}
