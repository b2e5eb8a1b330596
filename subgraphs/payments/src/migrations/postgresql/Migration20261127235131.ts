import { Migration } from '@mikro-orm/migrations';

export class Migration20261127235131 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "payments";`);
    this.addSql(`create table "payments"."audit_log" ("id" uuid not null, "at" timestamptz not null, "actor" varchar(255) not null, "actor_roles" varchar(255) not null, "action" varchar(100) not null, "entity_type" varchar(100) not null, "entity_id" varchar(255) not null, "changes" jsonb null, "request_id" varchar(100) null, "ip" varchar(100) null, constraint "audit_log_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_log_entity_type_entity_id_index" on "payments"."audit_log" ("entity_type", "entity_id");`);

    this.addSql(`create table "payments"."disbursement_batch" ("id" uuid not null, "client_correlation_id" varchar(100) not null, "payload_hash" varchar(64) not null, "source" text check ("source" in ('API', 'CSV')) not null default 'API', "program_code" varchar(100) null, "purpose" varchar(200) null, "currency" varchar(3) not null, "total_amount" numeric(20,2) not null, "payment_count" int not null, "status" text check ("status" in ('RECEIVED', 'VALIDATING', 'AUTHORIZATION_DENIED', 'PENDING_APPROVAL', 'APPROVED', 'REJECTED', 'PROCESSING', 'RECONCILING', 'COMPLETED', 'PARTIALLY_COMPLETED', 'FAILED', 'CANCELLED')) not null default 'RECEIVED', "approval_required" boolean not null default false, "status_reason" text null, "submitted_by" varchar(200) null, "callback_url" varchar(500) null, "progress_notified" int not null default 0, "approved_by" varchar(200) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "disbursement_batch_pkey" primary key ("id"));`);
    this.addSql(`alter table "payments"."disbursement_batch" add constraint "disbursement_batch_client_correlation_id_unique" unique ("client_correlation_id");`);
    this.addSql(`create index "disbursement_batch_status_index" on "payments"."disbursement_batch" ("status");`);

    this.addSql(`create table "payments"."financial_address_link" ("id" uuid not null, "beneficiary_id" varchar(200) not null, "financial_address" varchar(300) not null, "provider_code" varchar(100) not null, "status" text check ("status" in ('ACTIVE', 'INACTIVE')) not null default 'ACTIVE', "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "financial_address_link_pkey" primary key ("id"));`);
    this.addSql(`alter table "payments"."financial_address_link" add constraint "financial_address_link_beneficiary_id_unique" unique ("beneficiary_id");`);

    this.addSql(`create table "payments"."job_chunk" ("id" uuid not null, "job_id" uuid not null, "seq" int not null, "spec" jsonb not null, "status" varchar(20) not null default 'PENDING', "attempts" int not null default 0, "last_error" text null, "finished_at" timestamptz null, constraint "job_chunk_pkey" primary key ("id"));`);
    this.addSql(`create index "job_chunk_job_id_status_index" on "payments"."job_chunk" ("job_id", "status");`);
    this.addSql(`alter table "payments"."job_chunk" add constraint "job_chunk_job_id_seq_unique" unique ("job_id", "seq");`);

    this.addSql(`create table "payments"."job" ("id" uuid not null, "name" varchar(100) not null, "idempotency_key" varchar(255) null, "payload" jsonb not null, "status" varchar(20) not null default 'PENDING', "total_chunks" int not null default 0, "done_chunks" int not null default 0, "failed_chunks" int not null default 0, "error" text null, "created_at" timestamptz not null, "finished_at" timestamptz null, constraint "job_pkey" primary key ("id"));`);
    this.addSql(`alter table "payments"."job" add constraint "job_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "job_status_index" on "payments"."job" ("status");`);

    this.addSql(`create table "payments"."journal_entry" ("id" uuid not null, "idempotency_key" varchar(200) not null, "description" varchar(300) not null, "batch_id" uuid null, "created_at" timestamptz not null, constraint "journal_entry_pkey" primary key ("id"));`);
    this.addSql(`alter table "payments"."journal_entry" add constraint "journal_entry_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "journal_entry_batch_id_index" on "payments"."journal_entry" ("batch_id");`);

    this.addSql(`create table "payments"."journal_line" ("id" uuid not null, "entry_id" uuid not null, "account_id" uuid not null, "account_code" varchar(150) not null, "debit" numeric(20,2) not null, "credit" numeric(20,2) not null, constraint "journal_line_pkey" primary key ("id"));`);
    this.addSql(`create index "journal_line_account_id_index" on "payments"."journal_line" ("account_id");`);
    this.addSql(`create index "journal_line_entry_id_index" on "payments"."journal_line" ("entry_id");`);

    this.addSql(`create table "payments"."ledger_account" ("id" uuid not null, "code" varchar(150) not null, "type" text check ("type" in ('ASSET', 'LIABILITY', 'EQUITY')) not null, "currency" varchar(3) not null, "balance" numeric(20,2) not null default '0.00', "held" numeric(20,2) not null default '0.00', "created_at" timestamptz not null, constraint "ledger_account_pkey" primary key ("id"));`);
    this.addSql(`alter table "payments"."ledger_account" add constraint "ledger_account_code_unique" unique ("code");`);

    this.addSql(`create table "payments"."ledger_hold" ("id" uuid not null, "key" varchar(200) not null, "account_id" uuid not null, "batch_id" uuid null, "amount" numeric(20,2) not null, "consumed" numeric(20,2) not null default '0.00', "status" text check ("status" in ('OPEN', 'CLOSED')) not null default 'OPEN', "created_at" timestamptz not null, constraint "ledger_hold_pkey" primary key ("id"));`);
    this.addSql(`alter table "payments"."ledger_hold" add constraint "ledger_hold_key_unique" unique ("key");`);
    this.addSql(`create index "ledger_hold_batch_id_status_index" on "payments"."ledger_hold" ("batch_id", "status");`);

    this.addSql(`create table "payments"."payment" ("id" uuid not null, "batch_id" uuid not null, "seq" int not null, "instruction_id" varchar(100) not null, "registrant_id" uuid null, "entitlement_id" varchar(100) null, "beneficiary_id" varchar(200) not null, "financial_address" varchar(300) null, "provider_code" varchar(100) null, "amount" numeric(20,2) not null, "currency" varchar(3) not null, "note" varchar(200) null, "status" text check ("status" in ('PENDING', 'INVALID', 'PAYEE_NOT_FOUND', 'READY', 'SENT', 'COMPLETED', 'FAILED', 'UNKNOWN', 'CANCELLED')) not null default 'PENDING', "status_reason" text null, "provider_reference" varchar(200) null, "reconciliation" text check ("reconciliation" in ('MATCHED', 'AMOUNT_MISMATCH', 'MISSING', 'REVERSED')) null, "attempts" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "payment_pkey" primary key ("id"));`);
    this.addSql(`alter table "payments"."payment" add constraint "payment_entitlement_id_unique" unique ("entitlement_id");`);
    this.addSql(`create index "payment_batch_id_status_index" on "payments"."payment" ("batch_id", "status");`);
    this.addSql(`create index "payment_registrant_id_index" on "payments"."payment" ("registrant_id");`);
    this.addSql(`alter table "payments"."payment" add constraint "payment_batch_id_instruction_id_unique" unique ("batch_id", "instruction_id");`);
    this.addSql(`alter table "payments"."payment" add constraint "payment_batch_id_seq_unique" unique ("batch_id", "seq");`);

    this.addSql(`create table "payments"."payment_provider" ("id" uuid not null, "code" varchar(100) not null, "name" varchar(200) not null, "kind" text check ("kind" in ('BANK', 'BRANCH', 'WALLET')) not null, "parent_code" varchar(100) null, "connector" text check ("connector" in ('GSMA', 'MOJALOOP', 'ISO20022', 'NONE')) not null default 'NONE', "endpoint_url" varchar(500) null, "active" boolean not null default true, "created_at" timestamptz not null, constraint "payment_provider_pkey" primary key ("id"));`);
    this.addSql(`alter table "payments"."payment_provider" add constraint "payment_provider_code_unique" unique ("code");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payments"."audit_log" cascade;`);

    this.addSql(`drop table if exists "payments"."disbursement_batch" cascade;`);

    this.addSql(`drop table if exists "payments"."financial_address_link" cascade;`);

    this.addSql(`drop table if exists "payments"."job_chunk" cascade;`);

    this.addSql(`drop table if exists "payments"."job" cascade;`);

    this.addSql(`drop table if exists "payments"."journal_entry" cascade;`);

    this.addSql(`drop table if exists "payments"."journal_line" cascade;`);

    this.addSql(`drop table if exists "payments"."ledger_account" cascade;`);

    this.addSql(`drop table if exists "payments"."ledger_hold" cascade;`);

    this.addSql(`drop table if exists "payments"."payment" cascade;`);

    this.addSql(`drop table if exists "payments"."payment_provider" cascade;`);

    this.addSql(`drop schema if exists "payments";`);
  }

}
