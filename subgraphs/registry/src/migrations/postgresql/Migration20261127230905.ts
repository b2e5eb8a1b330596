import { Migration } from '@mikro-orm/migrations';

export class Migration20261127230905 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "registry";`);
    this.addSql(`create table "registry"."audit_log" ("id" uuid not null, "at" timestamptz not null, "actor" varchar(255) not null, "actor_roles" varchar(255) not null, "action" varchar(100) not null, "entity_type" varchar(100) not null, "entity_id" varchar(255) not null, "changes" jsonb null, "request_id" varchar(100) null, "ip" varchar(100) null, constraint "audit_log_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_log_entity_type_entity_id_index" on "registry"."audit_log" ("entity_type", "entity_id");`);

    this.addSql(`create table "registry"."dedup_candidate" ("id" uuid not null, "registrant_a" uuid not null, "registrant_b" uuid not null, "score" double precision not null, "reasons" jsonb not null, "status" text check ("status" in ('PENDING', 'CONFIRMED', 'DISMISSED')) not null default 'PENDING', "created_at" timestamptz not null, "decided_by" varchar(255) null, constraint "dedup_candidate_pkey" primary key ("id"));`);
    this.addSql(`create index "dedup_candidate_status_created_at_id_index" on "registry"."dedup_candidate" ("status", "created_at", "id");`);
    this.addSql(`alter table "registry"."dedup_candidate" add constraint "dedup_candidate_registrant_a_registrant_b_unique" unique ("registrant_a", "registrant_b");`);

    this.addSql(`create table "registry"."financial_address" ("id" uuid not null, "registrant_id" uuid not null, "kind" text check ("kind" in ('BANK_ACCOUNT', 'MOBILE_MONEY', 'WALLET')) not null, "iban" varchar(40) null, "msisdn" varchar(20) null, "wallet_id" varchar(120) null, "provider" varchar(120) null, "primary" boolean not null default false, "created_at" timestamptz not null, constraint "financial_address_pkey" primary key ("id"));`);
    this.addSql(`create index "financial_address_registrant_id_index" on "registry"."financial_address" ("registrant_id");`);

    this.addSql(`create table "registry"."group_membership" ("id" uuid not null, "group_id" uuid not null, "individual_id" uuid not null, "role" varchar(40) null, "start_date" varchar(10) null, "end_date" varchar(10) null, "created_at" timestamptz not null, constraint "group_membership_pkey" primary key ("id"));`);
    this.addSql(`create index "group_membership_individual_id_index" on "registry"."group_membership" ("individual_id");`);
    this.addSql(`create index "group_membership_group_id_index" on "registry"."group_membership" ("group_id");`);

    this.addSql(`create table "registry"."identifier" ("id" uuid not null, "registrant_id" uuid not null, "type" varchar(60) not null, "value" varchar(120) not null, "created_at" timestamptz not null, constraint "identifier_pkey" primary key ("id"));`);
    this.addSql(`create index "identifier_value_index" on "registry"."identifier" ("value");`);
    this.addSql(`create index "identifier_registrant_id_index" on "registry"."identifier" ("registrant_id");`);
    this.addSql(`alter table "registry"."identifier" add constraint "identifier_registrant_id_type_unique" unique ("registrant_id", "type");`);
    this.addSql(`alter table "registry"."identifier" add constraint "identifier_type_value_unique" unique ("type", "value");`);

    this.addSql(`create table "registry"."id_type" ("name" varchar(60) not null, "pattern" varchar(300) null, "description" varchar(300) null, constraint "id_type_pkey" primary key ("name"));`);

    this.addSql(`create table "registry"."import_issue" ("id" uuid not null, "import_id" uuid not null, "row_no" int not null, "source_id" varchar(255) null, "field" varchar(200) not null, "reason" varchar(60) not null, "message" text not null, constraint "import_issue_pkey" primary key ("id"));`);
    this.addSql(`create index "import_issue_import_id_row_no_index" on "registry"."import_issue" ("import_id", "row_no");`);

    this.addSql(`create table "registry"."import_row" ("import_id" uuid not null, "row_no" int not null, "data" jsonb not null, constraint "import_row_pkey" primary key ("import_id", "row_no"));`);

    this.addSql(`create table "registry"."job_chunk" ("id" uuid not null, "job_id" uuid not null, "seq" int not null, "spec" jsonb not null, "status" varchar(20) not null default 'PENDING', "attempts" int not null default 0, "last_error" text null, "finished_at" timestamptz null, constraint "job_chunk_pkey" primary key ("id"));`);
    this.addSql(`create index "job_chunk_job_id_status_index" on "registry"."job_chunk" ("job_id", "status");`);
    this.addSql(`alter table "registry"."job_chunk" add constraint "job_chunk_job_id_seq_unique" unique ("job_id", "seq");`);

    this.addSql(`create table "registry"."job" ("id" uuid not null, "name" varchar(100) not null, "idempotency_key" varchar(255) null, "payload" jsonb not null, "status" varchar(20) not null default 'PENDING', "total_chunks" int not null default 0, "done_chunks" int not null default 0, "failed_chunks" int not null default 0, "error" text null, "created_at" timestamptz not null, "finished_at" timestamptz null, constraint "job_pkey" primary key ("id"));`);
    this.addSql(`alter table "registry"."job" add constraint "job_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "job_status_index" on "registry"."job" ("status");`);

    this.addSql(`create table "registry"."registrant" ("id" uuid not null, "kind" text check ("kind" in ('INDIVIDUAL', 'GROUP')) not null, "group_kind" text check ("group_kind" in ('HOUSEHOLD', 'FAMILY')) null, "given_name" varchar(200) null, "family_name" varchar(200) null, "other_names" varchar(200) null, "group_name" varchar(200) null, "name_sort" varchar(400) not null default '', "birth_date" varchar(10) null, "birth_date_approximate" boolean not null default false, "sex" text check ("sex" in ('MALE', 'FEMALE', 'OTHER', 'UNKNOWN')) null, "phones" jsonb not null, "primary_phone" varchar(20) null, "address_line" varchar(500) null, "admin_area_code" varchar(100) null, "admin_area_path" varchar(300) null, "disability" boolean null, "status" text check ("status" in ('ACTIVE', 'INACTIVE', 'MERGED')) not null default 'ACTIVE', "merged_into_id" uuid null, "registration_date" varchar(10) null, "source" text check ("source" in ('API', 'ODK', 'CSV', 'JSON')) not null default 'API', "source_id" varchar(255) null, "extra" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "registrant_pkey" primary key ("id"));`);
    this.addSql(`create index "registrant_primary_phone_index" on "registry"."registrant" ("primary_phone");`);
    this.addSql(`create index "registrant_birth_date_index" on "registry"."registrant" ("birth_date");`);
    this.addSql(`create index "registrant_admin_area_path_index" on "registry"."registrant" ("admin_area_path");`);
    this.addSql(`create index "registrant_name_sort_id_index" on "registry"."registrant" ("name_sort", "id");`);
    this.addSql(`create index "registrant_created_at_id_index" on "registry"."registrant" ("created_at", "id");`);
    this.addSql(`alter table "registry"."registrant" add constraint "registrant_source_source_id_unique" unique ("source", "source_id");`);

    this.addSql(`create table "registry"."registrant_key" ("key" varchar(200) not null, "registrant_id" uuid not null, constraint "registrant_key_pkey" primary key ("key", "registrant_id"));`);
    this.addSql(`create index "registrant_key_registrant_id_index" on "registry"."registrant_key" ("registrant_id");`);

    this.addSql(`create table "registry"."registry_import" ("id" uuid not null, "source" text check ("source" in ('API', 'ODK', 'CSV', 'JSON')) not null, "job_id" uuid null, "config" jsonb not null, "rows_staged" int not null default 0, "created" int not null default 0, "updated" int not null default 0, "unchanged" int not null default 0, "failed_rows" int not null default 0, "high_watermark" varchar(40) null, "created_at" timestamptz not null, "created_by" varchar(255) not null, constraint "registry_import_pkey" primary key ("id"));`);

    this.addSql(`create table "registry"."registry_setting" ("name" varchar(60) not null, "value" jsonb not null, constraint "registry_setting_pkey" primary key ("name"));`);

    // At most one current HEAD per group (the service checks first, with a clear error).
    this.addSql(`create unique index "group_membership_one_head" on "registry"."group_membership" ("group_id") where "role" = 'HEAD' and "end_date" is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "registry"."audit_log" cascade;`);

    this.addSql(`drop table if exists "registry"."dedup_candidate" cascade;`);

    this.addSql(`drop table if exists "registry"."financial_address" cascade;`);

    this.addSql(`drop table if exists "registry"."group_membership" cascade;`);

    this.addSql(`drop table if exists "registry"."identifier" cascade;`);

    this.addSql(`drop table if exists "registry"."id_type" cascade;`);

    this.addSql(`drop table if exists "registry"."import_issue" cascade;`);

    this.addSql(`drop table if exists "registry"."import_row" cascade;`);

    this.addSql(`drop table if exists "registry"."job_chunk" cascade;`);

    this.addSql(`drop table if exists "registry"."job" cascade;`);

    this.addSql(`drop table if exists "registry"."registrant" cascade;`);

    this.addSql(`drop table if exists "registry"."registrant_key" cascade;`);

    this.addSql(`drop table if exists "registry"."registry_import" cascade;`);

    this.addSql(`drop table if exists "registry"."registry_setting" cascade;`);

    this.addSql(`drop schema if exists "registry";`);
  }

}
