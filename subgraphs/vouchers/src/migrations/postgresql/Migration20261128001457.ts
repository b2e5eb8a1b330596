import { Migration } from '@mikro-orm/migrations';

export class Migration20261128001457 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "vouchers";`);
    this.addSql(`create table "vouchers"."audit_log" ("id" uuid not null, "at" timestamptz not null, "actor" varchar(255) not null, "actor_roles" varchar(255) not null, "action" varchar(100) not null, "entity_type" varchar(100) not null, "entity_id" varchar(255) not null, "changes" jsonb null, "request_id" varchar(100) null, "ip" varchar(100) null, constraint "audit_log_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_log_entity_type_entity_id_index" on "vouchers"."audit_log" ("entity_type", "entity_id");`);

    this.addSql(`create table "vouchers"."job_chunk" ("id" uuid not null, "job_id" uuid not null, "seq" int not null, "spec" jsonb not null, "status" varchar(20) not null default 'PENDING', "attempts" int not null default 0, "last_error" text null, "finished_at" timestamptz null, constraint "job_chunk_pkey" primary key ("id"));`);
    this.addSql(`create index "job_chunk_job_id_status_index" on "vouchers"."job_chunk" ("job_id", "status");`);
    this.addSql(`alter table "vouchers"."job_chunk" add constraint "job_chunk_job_id_seq_unique" unique ("job_id", "seq");`);

    this.addSql(`create table "vouchers"."job" ("id" uuid not null, "name" varchar(100) not null, "idempotency_key" varchar(255) null, "payload" jsonb not null, "status" varchar(20) not null default 'PENDING', "total_chunks" int not null default 0, "done_chunks" int not null default 0, "failed_chunks" int not null default 0, "error" text null, "created_at" timestamptz not null, "finished_at" timestamptz null, constraint "job_pkey" primary key ("id"));`);
    this.addSql(`alter table "vouchers"."job" add constraint "job_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "job_status_index" on "vouchers"."job" ("status");`);

    this.addSql(`create table "vouchers"."merchant" ("id" uuid not null, "code" varchar(64) not null, "name" varchar(200) not null, "group_code" varchar(20) null, "financial_address" varchar(200) not null, "status" text check ("status" in ('PENDING', 'APPROVED', 'SUSPENDED')) not null default 'PENDING', "failed_secret_attempts" int not null default 0, "locked_until" timestamptz null, "created_at" timestamptz not null, constraint "merchant_pkey" primary key ("id"));`);
    this.addSql(`alter table "vouchers"."merchant" add constraint "merchant_code_unique" unique ("code");`);

    this.addSql(`create table "vouchers"."redemption" ("id" uuid not null, "voucher_id" uuid not null, "merchant_id" uuid not null, "program_id" uuid not null, "amount" numeric(20,2) null, "currency" varchar(3) null, "presence_transaction_id" varchar(64) null, "reimbursement_status" text check ("reimbursement_status" in ('PENDING', 'PAID', 'FAILED')) not null default 'PENDING', "at" timestamptz not null, constraint "redemption_pkey" primary key ("id"));`);
    this.addSql(`alter table "vouchers"."redemption" add constraint "redemption_voucher_id_unique" unique ("voucher_id");`);
    this.addSql(`create index "redemption_program_id_merchant_id_index" on "vouchers"."redemption" ("program_id", "merchant_id");`);
    this.addSql(`create index "redemption_merchant_id_at_index" on "vouchers"."redemption" ("merchant_id", "at");`);

    this.addSql(`create table "vouchers"."signing_key" ("kid" varchar(64) not null, "private_jwk" jsonb not null, "public_jwk" jsonb not null, "created_at" timestamptz not null, constraint "signing_key_pkey" primary key ("kid"));`);

    this.addSql(`create table "vouchers"."voucher" ("id" uuid not null, "instruction_id" varchar(100) not null, "serial_number" varchar(14) not null, "secret_hash" varchar(64) not null, "program_id" uuid not null, "cycle_id" uuid null, "group_code" varchar(20) null, "registrant_id" uuid not null, "value" numeric(20,2) null, "currency" varchar(3) null, "basket" jsonb null, "status" text check ("status" in ('INACTIVE', 'ACTIVE', 'SUSPENDED', 'UTILIZED', 'CANCELLED', 'EXPIRED')) not null default 'INACTIVE', "presence_required" boolean not null default true, "activated_at" timestamptz null, "expires_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "voucher_pkey" primary key ("id"));`);
    this.addSql(`alter table "vouchers"."voucher" add constraint "voucher_instruction_id_unique" unique ("instruction_id");`);
    this.addSql(`alter table "vouchers"."voucher" add constraint "voucher_serial_number_unique" unique ("serial_number");`);
    this.addSql(`alter table "vouchers"."voucher" add constraint "voucher_secret_hash_unique" unique ("secret_hash");`);
    this.addSql(`create index "voucher_status_expires_at_index" on "vouchers"."voucher" ("status", "expires_at");`);
    this.addSql(`create index "voucher_program_id_status_index" on "vouchers"."voucher" ("program_id", "status");`);
    this.addSql(`create index "voucher_registrant_id_index" on "vouchers"."voucher" ("registrant_id");`);

    this.addSql(`create table "vouchers"."voucher_batch" ("id" uuid not null, "batch_id" varchar(100) not null, "delivery_key" jsonb not null, "instruction_count" int not null, "job_id" uuid null, "created_at" timestamptz not null, constraint "voucher_batch_pkey" primary key ("id"));`);
    this.addSql(`alter table "vouchers"."voucher_batch" add constraint "voucher_batch_batch_id_unique" unique ("batch_id");`);

    this.addSql(`create table "vouchers"."voucher_delivery" ("id" uuid not null, "batch_id" uuid not null, "chunk" int not null, "count" int not null, "jwe" text not null, "created_at" timestamptz not null, constraint "voucher_delivery_pkey" primary key ("id"));`);
    this.addSql(`alter table "vouchers"."voucher_delivery" add constraint "voucher_delivery_batch_id_chunk_unique" unique ("batch_id", "chunk");`);

    this.addSql(`create table "vouchers"."voucher_event" ("id" uuid not null, "voucher_id" uuid not null, "from_status" text check ("from_status" in ('INACTIVE', 'ACTIVE', 'SUSPENDED', 'UTILIZED', 'CANCELLED', 'EXPIRED')) null, "to_status" text check ("to_status" in ('INACTIVE', 'ACTIVE', 'SUSPENDED', 'UTILIZED', 'CANCELLED', 'EXPIRED')) not null, "action" varchar(50) not null, "reason" varchar(500) null, "actor" varchar(255) not null, "at" timestamptz not null, constraint "voucher_event_pkey" primary key ("id"));`);
    this.addSql(`create index "voucher_event_voucher_id_at_index" on "vouchers"."voucher_event" ("voucher_id", "at");`);

    this.addSql(`create table "vouchers"."voucher_instruction" ("id" uuid not null, "batch_id" uuid not null, "seq" int not null, "input" jsonb not null, constraint "voucher_instruction_pkey" primary key ("id"));`);
    this.addSql(`create index "voucher_instruction_batch_id_seq_index" on "vouchers"."voucher_instruction" ("batch_id", "seq");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "vouchers"."audit_log" cascade;`);

    this.addSql(`drop table if exists "vouchers"."job_chunk" cascade;`);

    this.addSql(`drop table if exists "vouchers"."job" cascade;`);

    this.addSql(`drop table if exists "vouchers"."merchant" cascade;`);

    this.addSql(`drop table if exists "vouchers"."redemption" cascade;`);

    this.addSql(`drop table if exists "vouchers"."signing_key" cascade;`);

    this.addSql(`drop table if exists "vouchers"."voucher" cascade;`);

    this.addSql(`drop table if exists "vouchers"."voucher_batch" cascade;`);

    this.addSql(`drop table if exists "vouchers"."voucher_delivery" cascade;`);

    this.addSql(`drop table if exists "vouchers"."voucher_event" cascade;`);

    this.addSql(`drop table if exists "vouchers"."voucher_instruction" cascade;`);

    this.addSql(`drop schema if exists "vouchers";`);
  }

}
