import { Migration } from '@mikro-orm/migrations';

export class Migration20261127225156 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "eligibility";`);
    this.addSql(`create table "eligibility"."audit_log" ("id" uuid not null, "at" timestamptz not null, "actor" varchar(255) not null, "actor_roles" varchar(255) not null, "action" varchar(100) not null, "entity_type" varchar(100) not null, "entity_id" varchar(255) not null, "changes" jsonb null, "request_id" varchar(100) null, "ip" varchar(100) null, constraint "audit_log_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_log_entity_type_entity_id_index" on "eligibility"."audit_log" ("entity_type", "entity_id");`);

    this.addSql(`create table "eligibility"."cycle" ("id" uuid not null, "program_id" uuid not null, "name" varchar(200) not null, "start_date" varchar(10) not null, "end_date" varchar(10) not null, "state" text check ("state" in ('DRAFT', 'TO_APPROVE', 'APPROVED', 'DISTRIBUTED', 'CANCELLED', 'ENDED')) not null default 'DRAFT', "round" int not null default 0, "approved_stages" int not null default 0, "evaluation_run_id" uuid null, "generation_run_id" uuid null, "created_by" varchar(255) not null, "submitted_by" varchar(255) null, "rejection_reason" text null, "created_at" timestamptz not null, constraint "cycle_pkey" primary key ("id"));`);
    this.addSql(`create index "cycle_program_id_created_at_index" on "eligibility"."cycle" ("program_id", "created_at");`);

    this.addSql(`create table "eligibility"."cycle_approval" ("id" uuid not null, "cycle_id" uuid not null, "round" int not null, "stage" int not null, "stage_name" varchar(200) not null, "role" varchar(50) not null, "decision" text check ("decision" in ('APPROVED', 'REJECTED')) not null, "actor" varchar(255) not null, "reason" text null, "at" timestamptz not null, constraint "cycle_approval_pkey" primary key ("id"));`);
    this.addSql(`create index "cycle_approval_cycle_id_at_index" on "eligibility"."cycle_approval" ("cycle_id", "at");`);

    this.addSql(`create table "eligibility"."enrollment" ("id" uuid not null, "program_id" uuid not null, "registrant_id" uuid not null, "state" text check ("state" in ('DRAFT', 'ENROLLED', 'PAUSED', 'EXITED', 'NOT_ELIGIBLE', 'DUPLICATED')) not null default 'DRAFT', "score" double precision null, "explanation" jsonb null, "household_size" int not null default 1, "evaluated_at" timestamptz null, "last_run_id" uuid null, "evaluation_error" text null, "override_reason" text null, "overridden_by" varchar(255) null, "overridden_at" timestamptz null, "created_at" timestamptz not null, constraint "enrollment_pkey" primary key ("id"));`);
    this.addSql(`create index "enrollment_program_id_state_id_index" on "eligibility"."enrollment" ("program_id", "state", "id");`);
    this.addSql(`create index "enrollment_registrant_id_index" on "eligibility"."enrollment" ("registrant_id");`);
    this.addSql(`alter table "eligibility"."enrollment" add constraint "enrollment_program_id_registrant_id_unique" unique ("program_id", "registrant_id");`);

    this.addSql(`create table "eligibility"."entitlement" ("id" uuid not null, "cycle_id" uuid not null, "program_id" uuid not null, "registrant_id" uuid not null, "enrollment_id" uuid not null, "amount" numeric(20,2) not null, "fee" numeric(20,2) not null, "currency" varchar(3) not null, "items" jsonb null, "valid_from" varchar(10) not null, "valid_until" varchar(10) not null, "created_at" timestamptz not null, constraint "entitlement_pkey" primary key ("id"));`);
    this.addSql(`create index "entitlement_registrant_id_index" on "eligibility"."entitlement" ("registrant_id");`);
    this.addSql(`create index "entitlement_cycle_id_created_at_id_index" on "eligibility"."entitlement" ("cycle_id", "created_at", "id");`);
    this.addSql(`alter table "eligibility"."entitlement" add constraint "entitlement_cycle_id_registrant_id_unique" unique ("cycle_id", "registrant_id");`);

    this.addSql(`create table "eligibility"."job_chunk" ("id" uuid not null, "job_id" uuid not null, "seq" int not null, "spec" jsonb not null, "status" varchar(20) not null default 'PENDING', "attempts" int not null default 0, "last_error" text null, "finished_at" timestamptz null, constraint "job_chunk_pkey" primary key ("id"));`);
    this.addSql(`create index "job_chunk_job_id_status_index" on "eligibility"."job_chunk" ("job_id", "status");`);
    this.addSql(`alter table "eligibility"."job_chunk" add constraint "job_chunk_job_id_seq_unique" unique ("job_id", "seq");`);

    this.addSql(`create table "eligibility"."job" ("id" uuid not null, "name" varchar(100) not null, "idempotency_key" varchar(255) null, "payload" jsonb not null, "status" varchar(20) not null default 'PENDING', "total_chunks" int not null default 0, "done_chunks" int not null default 0, "failed_chunks" int not null default 0, "error" text null, "created_at" timestamptz not null, "finished_at" timestamptz null, constraint "job_pkey" primary key ("id"));`);
    this.addSql(`alter table "eligibility"."job" add constraint "job_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "job_status_index" on "eligibility"."job" ("status");`);

    this.addSql(`create table "eligibility"."program" ("id" uuid not null, "name" varchar(200) not null, "target" text check ("target" in ('INDIVIDUAL', 'GROUP')) not null, "currency" varchar(3) not null, "benefit_kind" text check ("benefit_kind" in ('CASH', 'IN_KIND', 'VOUCHER', 'SERVICE')) not null default 'CASH', "budget" numeric(20,2) null, "ministry" varchar(200) null, "manager_roles" jsonb not null, "criteria" jsonb not null, "scoring" jsonb null, "entitlement_formula" jsonb not null, "approval_stages" jsonb not null default '[{"name":"Approval","role":"approver"}]', "created_by" varchar(255) null, "created_at" timestamptz not null, constraint "program_pkey" primary key ("id"));`);

    this.addSql(`create table "eligibility"."program_run" ("id" uuid not null, "kind" text check ("kind" in ('EVALUATION', 'ENTITLEMENTS')) not null, "program_id" uuid not null, "cycle_id" uuid null, "job_id" uuid null, "as_of" varchar(10) not null, "processed" int not null default 0, "eligible" int not null default 0, "not_eligible" int not null default 0, "errors" int not null default 0, "created" int not null default 0, "created_by" varchar(255) not null, "created_at" timestamptz not null, constraint "program_run_pkey" primary key ("id"));`);
    this.addSql(`create index "program_run_program_id_created_at_index" on "eligibility"."program_run" ("program_id", "created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "eligibility"."audit_log" cascade;`);

    this.addSql(`drop table if exists "eligibility"."cycle" cascade;`);

    this.addSql(`drop table if exists "eligibility"."cycle_approval" cascade;`);

    this.addSql(`drop table if exists "eligibility"."enrollment" cascade;`);

    this.addSql(`drop table if exists "eligibility"."entitlement" cascade;`);

    this.addSql(`drop table if exists "eligibility"."job_chunk" cascade;`);

    this.addSql(`drop table if exists "eligibility"."job" cascade;`);

    this.addSql(`drop table if exists "eligibility"."program" cascade;`);

    this.addSql(`drop table if exists "eligibility"."program_run" cascade;`);

    this.addSql(`drop schema if exists "eligibility";`);
  }

}
