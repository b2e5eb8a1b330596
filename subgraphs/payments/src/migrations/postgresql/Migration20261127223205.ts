import { Migration } from '@mikro-orm/migrations';

export class Migration20261127223205 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "payments";`);
    this.addSql(`create table "payments"."audit_log" ("id" uuid not null, "at" timestamptz not null, "actor" varchar(255) not null, "actor_roles" varchar(255) not null, "action" varchar(100) not null, "entity_type" varchar(100) not null, "entity_id" varchar(255) not null, "changes" jsonb null, "request_id" varchar(100) null, "ip" varchar(100) null, constraint "audit_log_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_log_entity_type_entity_id_index" on "payments"."audit_log" ("entity_type", "entity_id");`);

    this.addSql(`create table "payments"."disbursement_batch" ("id" uuid not null, "client_correlation_id" varchar(100) not null, "currency" varchar(3) not null, "total_amount" numeric(20,2) not null, "payment_count" int not null, "status" text check ("status" in ('RECEIVED', 'COMPLETED', 'PARTIALLY_COMPLETED', 'FAILED', 'CANCELLED')) not null default 'RECEIVED', "created_at" timestamptz not null, constraint "disbursement_batch_pkey" primary key ("id"));`);
    this.addSql(`alter table "payments"."disbursement_batch" add constraint "disbursement_batch_client_correlation_id_unique" unique ("client_correlation_id");`);

    this.addSql(`create table "payments"."job_chunk" ("id" uuid not null, "job_id" uuid not null, "seq" int not null, "spec" jsonb not null, "status" varchar(20) not null default 'PENDING', "attempts" int not null default 0, "last_error" text null, "finished_at" timestamptz null, constraint "job_chunk_pkey" primary key ("id"));`);
    this.addSql(`create index "job_chunk_job_id_status_index" on "payments"."job_chunk" ("job_id", "status");`);
    this.addSql(`alter table "payments"."job_chunk" add constraint "job_chunk_job_id_seq_unique" unique ("job_id", "seq");`);

    this.addSql(`create table "payments"."job" ("id" uuid not null, "name" varchar(100) not null, "idempotency_key" varchar(255) null, "payload" jsonb not null, "status" varchar(20) not null default 'PENDING', "total_chunks" int not null default 0, "done_chunks" int not null default 0, "failed_chunks" int not null default 0, "error" text null, "created_at" timestamptz not null, "finished_at" timestamptz null, constraint "job_pkey" primary key ("id"));`);
    this.addSql(`alter table "payments"."job" add constraint "job_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "job_status_index" on "payments"."job" ("status");`);

    this.addSql(`create table "payments"."payment" ("id" uuid not null, "batch_id" uuid not null, "registrant_id" uuid not null, "amount" numeric(20,2) not null, "currency" varchar(3) not null, "status" text check ("status" in ('PENDING', 'SUCCEEDED', 'FAILED', 'UNKNOWN', 'CANCELLED')) not null default 'PENDING', "created_at" timestamptz not null, constraint "payment_pkey" primary key ("id"));`);
    this.addSql(`create index "payment_batch_id_index" on "payments"."payment" ("batch_id");`);
    this.addSql(`create index "payment_registrant_id_index" on "payments"."payment" ("registrant_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payments"."audit_log" cascade;`);

    this.addSql(`drop table if exists "payments"."disbursement_batch" cascade;`);

    this.addSql(`drop table if exists "payments"."job_chunk" cascade;`);

    this.addSql(`drop table if exists "payments"."job" cascade;`);

    this.addSql(`drop table if exists "payments"."payment" cascade;`);

    this.addSql(`drop schema if exists "payments";`);
  }

}
