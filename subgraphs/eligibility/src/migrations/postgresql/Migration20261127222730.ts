import { Migration } from '@mikro-orm/migrations';

export class Migration20261127222730 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "eligibility";`);
    this.addSql(`create table "eligibility"."audit_log" ("id" uuid not null, "at" timestamptz not null, "actor" varchar(255) not null, "actor_roles" varchar(255) not null, "action" varchar(100) not null, "entity_type" varchar(100) not null, "entity_id" varchar(255) not null, "changes" jsonb null, "request_id" varchar(100) null, "ip" varchar(100) null, constraint "audit_log_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_log_entity_type_entity_id_index" on "eligibility"."audit_log" ("entity_type", "entity_id");`);

    this.addSql(`create table "eligibility"."enrollment" ("id" uuid not null, "program_id" uuid not null, "registrant_id" uuid not null, "state" text check ("state" in ('DRAFT', 'ENROLLED', 'PAUSED', 'EXITED', 'NOT_ELIGIBLE', 'DUPLICATED')) not null default 'DRAFT', "created_at" timestamptz not null, constraint "enrollment_pkey" primary key ("id"));`);
    this.addSql(`create index "enrollment_registrant_id_index" on "eligibility"."enrollment" ("registrant_id");`);
    this.addSql(`alter table "eligibility"."enrollment" add constraint "enrollment_program_id_registrant_id_unique" unique ("program_id", "registrant_id");`);

    this.addSql(`create table "eligibility"."job_chunk" ("id" uuid not null, "job_id" uuid not null, "seq" int not null, "spec" jsonb not null, "status" varchar(20) not null default 'PENDING', "attempts" int not null default 0, "last_error" text null, "finished_at" timestamptz null, constraint "job_chunk_pkey" primary key ("id"));`);
    this.addSql(`create index "job_chunk_job_id_status_index" on "eligibility"."job_chunk" ("job_id", "status");`);
    this.addSql(`alter table "eligibility"."job_chunk" add constraint "job_chunk_job_id_seq_unique" unique ("job_id", "seq");`);

    this.addSql(`create table "eligibility"."job" ("id" uuid not null, "name" varchar(100) not null, "idempotency_key" varchar(255) null, "payload" jsonb not null, "status" varchar(20) not null default 'PENDING', "total_chunks" int not null default 0, "done_chunks" int not null default 0, "failed_chunks" int not null default 0, "error" text null, "created_at" timestamptz not null, "finished_at" timestamptz null, constraint "job_pkey" primary key ("id"));`);
    this.addSql(`alter table "eligibility"."job" add constraint "job_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "job_status_index" on "eligibility"."job" ("status");`);

    this.addSql(`create table "eligibility"."program" ("id" uuid not null, "name" varchar(200) not null, "target" text check ("target" in ('INDIVIDUAL', 'GROUP')) not null, "currency" varchar(3) not null, "created_at" timestamptz not null, constraint "program_pkey" primary key ("id"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "eligibility"."audit_log" cascade;`);

    this.addSql(`drop table if exists "eligibility"."enrollment" cascade;`);

    this.addSql(`drop table if exists "eligibility"."job_chunk" cascade;`);

    this.addSql(`drop table if exists "eligibility"."job" cascade;`);

    this.addSql(`drop table if exists "eligibility"."program" cascade;`);

    this.addSql(`drop schema if exists "eligibility";`);
  }

}
