import { Migration } from '@mikro-orm/migrations';

export class Migration20261127235130 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`audit_log\` (\`id\` text not null, \`at\` datetime not null, \`actor\` text not null, \`actor_roles\` text not null, \`action\` text not null, \`entity_type\` text not null, \`entity_id\` text not null, \`changes\` json null, \`request_id\` text null, \`ip\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`audit_log_entity_type_entity_id_index\` on \`audit_log\` (\`entity_type\`, \`entity_id\`);`);

    this.addSql(`create table \`disbursement_batch\` (\`id\` text not null, \`client_correlation_id\` text not null, \`payload_hash\` text not null, \`source\` text check (\`source\` in ('API', 'CSV')) not null default 'API', \`program_code\` text null, \`purpose\` text null, \`currency\` text not null, \`total_amount\` integer not null, \`payment_count\` integer not null, \`status\` text check (\`status\` in ('RECEIVED', 'VALIDATING', 'AUTHORIZATION_DENIED', 'PENDING_APPROVAL', 'APPROVED', 'REJECTED', 'PROCESSING', 'RECONCILING', 'COMPLETED', 'PARTIALLY_COMPLETED', 'FAILED', 'CANCELLED')) not null default 'RECEIVED', \`approval_required\` integer not null default false, \`status_reason\` text null, \`submitted_by\` text null, \`callback_url\` text null, \`progress_notified\` integer not null default 0, \`approved_by\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`disbursement_batch_client_correlation_id_unique\` on \`disbursement_batch\` (\`client_correlation_id\`);`);
    this.addSql(`create index \`disbursement_batch_status_index\` on \`disbursement_batch\` (\`status\`);`);

    this.addSql(`create table \`financial_address_link\` (\`id\` text not null, \`beneficiary_id\` text not null, \`financial_address\` text not null, \`provider_code\` text not null, \`status\` text check (\`status\` in ('ACTIVE', 'INACTIVE')) not null default 'ACTIVE', \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`financial_address_link_beneficiary_id_unique\` on \`financial_address_link\` (\`beneficiary_id\`);`);

    this.addSql(`create table \`job_chunk\` (\`id\` text not null, \`job_id\` text not null, \`seq\` integer not null, \`spec\` json not null, \`status\` text not null default 'PENDING', \`attempts\` integer not null default 0, \`last_error\` text null, \`finished_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`job_chunk_job_id_status_index\` on \`job_chunk\` (\`job_id\`, \`status\`);`);
    this.addSql(`create unique index \`job_chunk_job_id_seq_unique\` on \`job_chunk\` (\`job_id\`, \`seq\`);`);

    this.addSql(`create table \`job\` (\`id\` text not null, \`name\` text not null, \`idempotency_key\` text null, \`payload\` json not null, \`status\` text not null default 'PENDING', \`total_chunks\` integer not null default 0, \`done_chunks\` integer not null default 0, \`failed_chunks\` integer not null default 0, \`error\` text null, \`created_at\` datetime not null, \`finished_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create unique index \`job_idempotency_key_unique\` on \`job\` (\`idempotency_key\`);`);
    this.addSql(`create index \`job_status_index\` on \`job\` (\`status\`);`);

    this.addSql(`create table \`journal_entry\` (\`id\` text not null, \`idempotency_key\` text not null, \`description\` text not null, \`batch_id\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`journal_entry_idempotency_key_unique\` on \`journal_entry\` (\`idempotency_key\`);`);
    this.addSql(`create index \`journal_entry_batch_id_index\` on \`journal_entry\` (\`batch_id\`);`);

    this.addSql(`create table \`journal_line\` (\`id\` text not null, \`entry_id\` text not null, \`account_id\` text not null, \`account_code\` text not null, \`debit\` integer not null, \`credit\` integer not null, primary key (\`id\`));`);
    this.addSql(`create index \`journal_line_account_id_index\` on \`journal_line\` (\`account_id\`);`);
    this.addSql(`create index \`journal_line_entry_id_index\` on \`journal_line\` (\`entry_id\`);`);

    this.addSql(`create table \`ledger_account\` (\`id\` text not null, \`code\` text not null, \`type\` text check (\`type\` in ('ASSET', 'LIABILITY', 'EQUITY')) not null, \`currency\` text not null, \`balance\` integer not null default '0.00', \`held\` integer not null default '0.00', \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`ledger_account_code_unique\` on \`ledger_account\` (\`code\`);`);

    this.addSql(`create table \`ledger_hold\` (\`id\` text not null, \`key\` text not null, \`account_id\` text not null, \`batch_id\` text null, \`amount\` integer not null, \`consumed\` integer not null default '0.00', \`status\` text check (\`status\` in ('OPEN', 'CLOSED')) not null default 'OPEN', \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`ledger_hold_key_unique\` on \`ledger_hold\` (\`key\`);`);
    this.addSql(`create index \`ledger_hold_batch_id_status_index\` on \`ledger_hold\` (\`batch_id\`, \`status\`);`);

    this.addSql(`create table \`payment\` (\`id\` text not null, \`batch_id\` text not null, \`seq\` integer not null, \`instruction_id\` text not null, \`registrant_id\` text null, \`entitlement_id\` text null, \`beneficiary_id\` text not null, \`financial_address\` text null, \`provider_code\` text null, \`amount\` integer not null, \`currency\` text not null, \`note\` text null, \`status\` text check (\`status\` in ('PENDING', 'INVALID', 'PAYEE_NOT_FOUND', 'READY', 'SENT', 'COMPLETED', 'FAILED', 'UNKNOWN', 'CANCELLED')) not null default 'PENDING', \`status_reason\` text null, \`provider_reference\` text null, \`reconciliation\` text check (\`reconciliation\` in ('MATCHED', 'AMOUNT_MISMATCH', 'MISSING', 'REVERSED')) null, \`attempts\` integer not null default 0, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`payment_entitlement_id_unique\` on \`payment\` (\`entitlement_id\`);`);
    this.addSql(`create index \`payment_batch_id_status_index\` on \`payment\` (\`batch_id\`, \`status\`);`);
    this.addSql(`create index \`payment_registrant_id_index\` on \`payment\` (\`registrant_id\`);`);
    this.addSql(`create unique index \`payment_batch_id_instruction_id_unique\` on \`payment\` (\`batch_id\`, \`instruction_id\`);`);
    this.addSql(`create unique index \`payment_batch_id_seq_unique\` on \`payment\` (\`batch_id\`, \`seq\`);`);

    this.addSql(`create table \`payment_provider\` (\`id\` text not null, \`code\` text not null, \`name\` text not null, \`kind\` text check (\`kind\` in ('BANK', 'BRANCH', 'WALLET')) not null, \`parent_code\` text null, \`connector\` text check (\`connector\` in ('GSMA', 'MOJALOOP', 'ISO20022', 'NONE')) not null default 'NONE', \`endpoint_url\` text null, \`active\` integer not null default true, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`payment_provider_code_unique\` on \`payment_provider\` (\`code\`);`);
  }

}
