import { Migration } from '@mikro-orm/migrations';

export class Migration20261127222545 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "registry";`);
    this.addSql(`create table "registry"."audit_log" ("id" uuid not null, "at" timestamptz not null, "actor" varchar(255) not null, "actor_roles" varchar(255) not null, "action" varchar(100) not null, "entity_type" varchar(100) not null, "entity_id" varchar(255) not null, "changes" jsonb null, "request_id" varchar(100) null, "ip" varchar(100) null, constraint "audit_log_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_log_entity_type_entity_id_index" on "registry"."audit_log" ("entity_type", "entity_id");`);

    this.addSql(`create table "registry"."job_chunk" ("id" uuid not null, "job_id" uuid not null, "seq" int not null, "spec" jsonb not null, "status" varchar(20) not null default 'PENDING', "attempts" int not null default 0, "last_error" text null, "finished_at" timestamptz null, constraint "job_chunk_pkey" primary key ("id"));`);
    this.addSql(`create index "job_chunk_job_id_status_index" on "registry"."job_chunk" ("job_id", "status");`);
    this.addSql(`alter table "registry"."job_chunk" add constraint "job_chunk_job_id_seq_unique" unique ("job_id", "seq");`);

    this.addSql(`create table "registry"."job" ("id" uuid not null, "name" varchar(100) not null, "idempotency_key" varchar(255) null, "payload" jsonb not null, "status" varchar(20) not null default 'PENDING', "total_chunks" int not null default 0, "done_chunks" int not null default 0, "failed_chunks" int not null default 0, "error" text null, "created_at" timestamptz not null, "finished_at" timestamptz null, constraint "job_pkey" primary key ("id"));`);
    this.addSql(`alter table "registry"."job" add constraint "job_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "job_status_index" on "registry"."job" ("status");`);

    this.addSql(`create table "registry"."registrant" ("id" uuid not null, "kind" text check ("kind" in ('INDIVIDUAL', 'GROUP')) not null, "given_name" varchar(200) null, "family_name" varchar(200) null, "group_name" varchar(200) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "registrant_pkey" primary key ("id"));`);
    this.addSql(`create index "registrant_created_at_id_index" on "registry"."registrant" ("created_at", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "registry"."audit_log" cascade;`);

    this.addSql(`drop table if exists "registry"."job_chunk" cascade;`);

    this.addSql(`drop table if exists "registry"."job" cascade;`);

    this.addSql(`drop table if exists "registry"."registrant" cascade;`);

    this.addSql(`drop schema if exists "registry";`);
  }

}
