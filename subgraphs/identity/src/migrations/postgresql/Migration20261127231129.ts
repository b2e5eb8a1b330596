import { Migration } from '@mikro-orm/migrations';

export class Migration20261127231129 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "identity";`);
    this.addSql(`create table "identity"."abis_template" ("id" uuid not null, "reference_id" uuid not null, "modality" varchar(10) not null, "sub_type" varchar(40) null, "template_hash" varchar(64) not null, "vector" jsonb not null, "created_at" timestamptz not null, constraint "abis_template_pkey" primary key ("id"));`);
    this.addSql(`create index "abis_template_modality_index" on "identity"."abis_template" ("modality");`);
    this.addSql(`create index "abis_template_reference_id_index" on "identity"."abis_template" ("reference_id");`);

    this.addSql(`create table "identity"."audit_log" ("id" uuid not null, "at" timestamptz not null, "actor" varchar(255) not null, "actor_roles" varchar(255) not null, "action" varchar(100) not null, "entity_type" varchar(100) not null, "entity_id" varchar(255) not null, "changes" jsonb null, "request_id" varchar(100) null, "ip" varchar(100) null, constraint "audit_log_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_log_entity_type_entity_id_index" on "identity"."audit_log" ("entity_type", "entity_id");`);

    this.addSql(`create table "identity"."auth_lock" ("id" uuid not null, "identity_id" uuid not null, "auth_type" varchar(20) not null, "locked" boolean not null, "unlock_until" timestamptz null, "updated_at" timestamptz not null, constraint "auth_lock_pkey" primary key ("id"));`);
    this.addSql(`alter table "identity"."auth_lock" add constraint "auth_lock_identity_id_auth_type_unique" unique ("identity_id", "auth_type");`);

    this.addSql(`create table "identity"."auth_partner" ("id" varchar(100) not null, "name" varchar(200) not null, "status" text check ("status" in ('ACTIVE', 'INACTIVE', 'BLOCKED')) not null default 'ACTIVE', "policy_id" uuid not null, "api_key_hash" varchar(64) not null, "api_key_status" text check ("api_key_status" in ('ACTIVE', 'INACTIVE', 'BLOCKED')) not null default 'ACTIVE', "license_key_hash" varchar(64) not null, "license_key_status" text check ("license_key_status" in ('ACTIVE', 'INACTIVE', 'BLOCKED')) not null default 'ACTIVE', "license_key_expires_at" timestamptz null, "created_at" timestamptz not null, constraint "auth_partner_pkey" primary key ("id"));`);

    this.addSql(`create table "identity"."auth_policy" ("id" uuid not null, "name" varchar(200) not null, "status" text check ("status" in ('ACTIVE', 'INACTIVE', 'BLOCKED')) not null default 'ACTIVE', "auth_token_type" text check ("auth_token_type" in ('RANDOM', 'PARTNER', 'POLICY')) not null, "allowed_auth_types" jsonb not null, "allowed_kyc_attributes" jsonb not null, "created_at" timestamptz not null, constraint "auth_policy_pkey" primary key ("id"));`);

    this.addSql(`create table "identity"."auth_transaction" ("id" uuid not null, "identity_id" uuid null, "partner_id" varchar(100) not null, "transaction_id" varchar(64) not null, "request_type" text check ("request_type" in ('OTP_REQUEST', 'OTP_AUTH', 'DEMO_AUTH', 'BIO_AUTH', 'EKYC_AUTH', 'KYC_AUTH', 'KYC_EXCHANGE', 'TOKEN_SEEDING')) not null, "id_type" varchar(3) not null, "success" boolean not null, "error_code" varchar(20) null, "token" varchar(36) null, "created_at" timestamptz not null, constraint "auth_transaction_pkey" primary key ("id"));`);
    this.addSql(`create index "auth_transaction_identity_id_transaction_id_index" on "identity"."auth_transaction" ("identity_id", "transaction_id");`);
    this.addSql(`create index "auth_transaction_partner_id_created_at_index" on "identity"."auth_transaction" ("partner_id", "created_at");`);
    this.addSql(`create index "auth_transaction_identity_id_created_at_index" on "identity"."auth_transaction" ("identity_id", "created_at");`);

    this.addSql(`create table "identity"."identity" ("id" uuid not null, "status" text check ("status" in ('ACTIVATED', 'BLOCKED', 'DEACTIVATED')) not null default 'ACTIVATED', "uin_hash" varchar(64) not null, "uin_sealed" text not null, "person_token" varchar(36) not null, "demographics_sealed" text not null, "biometric_reference_id" uuid null, "has_auth_locks" boolean not null default false, "otp_frozen_until" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "identity_pkey" primary key ("id"));`);
    this.addSql(`alter table "identity"."identity" add constraint "identity_uin_hash_unique" unique ("uin_hash");`);
    this.addSql(`alter table "identity"."identity" add constraint "identity_person_token_unique" unique ("person_token");`);
    this.addSql(`create index "identity_biometric_reference_id_index" on "identity"."identity" ("biometric_reference_id");`);

    this.addSql(`create table "identity"."identity_enrollment" ("id" uuid not null, "status" text check ("status" in ('ISSUED', 'DUPLICATE', 'MANUAL_ADJUDICATION', 'REJECTED')) not null, "registrant_id" uuid null, "reference_id" uuid not null, "demographics_sealed" text null, "candidates" jsonb not null, "identity_id" uuid null, "decided_at" timestamptz null, "decided_by" varchar(255) null, "created_at" timestamptz not null, constraint "identity_enrollment_pkey" primary key ("id"));`);

    this.addSql(`create table "identity"."job_chunk" ("id" uuid not null, "job_id" uuid not null, "seq" int not null, "spec" jsonb not null, "status" varchar(20) not null default 'PENDING', "attempts" int not null default 0, "last_error" text null, "finished_at" timestamptz null, constraint "job_chunk_pkey" primary key ("id"));`);
    this.addSql(`create index "job_chunk_job_id_status_index" on "identity"."job_chunk" ("job_id", "status");`);
    this.addSql(`alter table "identity"."job_chunk" add constraint "job_chunk_job_id_seq_unique" unique ("job_id", "seq");`);

    this.addSql(`create table "identity"."job" ("id" uuid not null, "name" varchar(100) not null, "idempotency_key" varchar(255) null, "payload" jsonb not null, "status" varchar(20) not null default 'PENDING', "total_chunks" int not null default 0, "done_chunks" int not null default 0, "failed_chunks" int not null default 0, "error" text null, "created_at" timestamptz not null, "finished_at" timestamptz null, constraint "job_pkey" primary key ("id"));`);
    this.addSql(`alter table "identity"."job" add constraint "job_idempotency_key_unique" unique ("idempotency_key");`);
    this.addSql(`create index "job_status_index" on "identity"."job" ("status");`);

    this.addSql(`create table "identity"."kyc_token" ("token_hash" varchar(64) not null, "identity_id" uuid not null, "partner_id" varchar(100) not null, "transaction_id" varchar(64) not null, "individual_id_hash" varchar(64) not null, "psut" varchar(36) not null, "status" text check ("status" in ('ACTIVE', 'PROCESSED')) not null default 'ACTIVE', "expires_at" timestamptz not null, "created_at" timestamptz not null, constraint "kyc_token_pkey" primary key ("token_hash"));`);

    this.addSql(`create table "identity"."otp" ("id" uuid not null, "identity_id" uuid not null, "partner_id" varchar(100) not null, "transaction_id" varchar(64) not null, "code_hash" varchar(64) not null, "status" text check ("status" in ('ACTIVE', 'USED', 'FROZEN')) not null default 'ACTIVE', "failures" int not null default 0, "expires_at" timestamptz not null, "created_at" timestamptz not null, constraint "otp_pkey" primary key ("id"));`);
    this.addSql(`create index "otp_identity_id_created_at_index" on "identity"."otp" ("identity_id", "created_at");`);

    this.addSql(`create table "identity"."notification_outbox" ("id" uuid not null, "channel" varchar(10) not null, "payload_sealed" text null, "status" text check ("status" in ('PENDING', 'SENDING', 'SENT', 'FAILED')) not null default 'PENDING', "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "last_error" text null, "sent_at" timestamptz null, "created_at" timestamptz not null, constraint "notification_outbox_pkey" primary key ("id"));`);
    this.addSql(`create index "notification_outbox_status_next_attempt_at_index" on "identity"."notification_outbox" ("status", "next_attempt_at");`);

    this.addSql(`create table "identity"."registrant_identity" ("registrant_id" uuid not null, "identity_id" uuid null, "status" text check ("status" in ('VERIFIED', 'FAILED')) not null, "method" text check ("method" in ('ENROLLMENT', 'TOKEN_SEEDING')) not null, "verified_at" timestamptz not null, "error_code" varchar(20) null, "seed_partner_id" varchar(100) null, "seed_token" varchar(36) null, constraint "registrant_identity_pkey" primary key ("registrant_id"));`);

    this.addSql(`create table "identity"."token_seed_chunk" ("id" uuid not null, "batch_id" uuid not null, "seq" int not null, "sealed" text not null, constraint "token_seed_chunk_pkey" primary key ("id"));`);
    this.addSql(`alter table "identity"."token_seed_chunk" add constraint "token_seed_chunk_batch_id_seq_unique" unique ("batch_id", "seq");`);

    this.addSql(`create table "identity"."vid" ("id" uuid not null, "identity_id" uuid not null, "vid_hash" varchar(64) not null, "vid_sealed" text not null, "type" text check ("type" in ('PERPETUAL', 'TEMPORARY', 'ONE_TIME_USE')) not null, "status" text check ("status" in ('ACTIVE', 'REVOKED', 'EXPIRED', 'USED', 'INVALIDATED', 'DEACTIVATED')) not null default 'ACTIVE', "expires_at" timestamptz null, "transactions_allowed" int null, "transactions_used" int not null default 0, "replaced_by_id" uuid null, "created_at" timestamptz not null, constraint "vid_pkey" primary key ("id"));`);
    this.addSql(`alter table "identity"."vid" add constraint "vid_vid_hash_unique" unique ("vid_hash");`);
    this.addSql(`create index "vid_identity_id_type_status_index" on "identity"."vid" ("identity_id", "type", "status");`);

    this.addSql(`alter table "identity"."registrant_identity" add constraint "registrant_identity_identity_id_foreign" foreign key ("identity_id") references "identity"."identity" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "identity"."registrant_identity" drop constraint "registrant_identity_identity_id_foreign";`);

    this.addSql(`drop table if exists "identity"."abis_template" cascade;`);

    this.addSql(`drop table if exists "identity"."audit_log" cascade;`);

    this.addSql(`drop table if exists "identity"."auth_lock" cascade;`);

    this.addSql(`drop table if exists "identity"."auth_partner" cascade;`);

    this.addSql(`drop table if exists "identity"."auth_policy" cascade;`);

    this.addSql(`drop table if exists "identity"."auth_transaction" cascade;`);

    this.addSql(`drop table if exists "identity"."identity" cascade;`);

    this.addSql(`drop table if exists "identity"."identity_enrollment" cascade;`);

    this.addSql(`drop table if exists "identity"."job_chunk" cascade;`);

    this.addSql(`drop table if exists "identity"."job" cascade;`);

    this.addSql(`drop table if exists "identity"."kyc_token" cascade;`);

    this.addSql(`drop table if exists "identity"."otp" cascade;`);

    this.addSql(`drop table if exists "identity"."notification_outbox" cascade;`);

    this.addSql(`drop table if exists "identity"."registrant_identity" cascade;`);

    this.addSql(`drop table if exists "identity"."token_seed_chunk" cascade;`);

    this.addSql(`drop table if exists "identity"."vid" cascade;`);

    this.addSql(`drop schema if exists "identity";`);
  }

}
