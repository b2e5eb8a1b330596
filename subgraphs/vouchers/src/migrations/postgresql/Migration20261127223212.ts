import { Migration } from '@mikro-orm/migrations';

export class Migration20261127223212 extends Migration {

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

    this.addSql(`create table "vouchers"."voucher" ("id" uuid not null, "instruction_id" varchar(100) not null, "serial_number" varchar(14) not null, "registrant_id" uuid not null, "value" numeric(20,2) not null, "currency" varchar(3) not null, "status" text check ("status" in ('INACTIVE', 'ACTIVE', 'SUSPENDED', 'UTILIZED', 'CANCELLED', 'EXPIRED')) not null default 'INACTIVE', "created_at" timestamptz not null, constraint "voucher_pkey" primary key ("id"));`);
    this.addSql(`alter table "vouchers"."voucher" add constraint "voucher_instruction_id_unique" unique ("instruction_id");`);
    this.addSql(`alter table "vouchers"."voucher" add constraint "voucher_serial_number_unique" unique ("serial_number");`);
    this.addSql(`create index "voucher_registrant_id_index" on "vouchers"."voucher" ("registrant_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "vouchers"."audit_log" cascade;`);

    this.addSql(`drop table if exists "vouchers"."job_chunk" cascade;`);

    this.addSql(`drop table if exists "vouchers"."job" cascade;`);

    this.addSql(`drop table if exists "vouchers"."voucher" cascade;`);

    this.addSql(`drop schema if exists "vouchers";`);
  }

}
