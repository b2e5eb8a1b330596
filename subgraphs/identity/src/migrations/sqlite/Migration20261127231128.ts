import { Migration } from '@mikro-orm/migrations';

export class Migration20261127231128 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`abis_template\` (\`id\` text not null, \`reference_id\` text not null, \`modality\` text not null, \`sub_type\` text null, \`template_hash\` text not null, \`vector\` json not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`abis_template_modality_index\` on \`abis_template\` (\`modality\`);`);
    this.addSql(`create index \`abis_template_reference_id_index\` on \`abis_template\` (\`reference_id\`);`);

    this.addSql(`create table \`audit_log\` (\`id\` text not null, \`at\` datetime not null, \`actor\` text not null, \`actor_roles\` text not null, \`action\` text not null, \`entity_type\` text not null, \`entity_id\` text not null, \`changes\` json null, \`request_id\` text null, \`ip\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`audit_log_entity_type_entity_id_index\` on \`audit_log\` (\`entity_type\`, \`entity_id\`);`);

    this.addSql(`create table \`auth_lock\` (\`id\` text not null, \`identity_id\` text not null, \`auth_type\` text not null, \`locked\` integer not null, \`unlock_until\` datetime null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`auth_lock_identity_id_auth_type_unique\` on \`auth_lock\` (\`identity_id\`, \`auth_type\`);`);

    this.addSql(`create table \`auth_partner\` (\`id\` text not null, \`name\` text not null, \`status\` text check (\`status\` in ('ACTIVE', 'INACTIVE', 'BLOCKED')) not null default 'ACTIVE', \`policy_id\` text not null, \`api_key_hash\` text not null, \`api_key_status\` text check (\`api_key_status\` in ('ACTIVE', 'INACTIVE', 'BLOCKED')) not null default 'ACTIVE', \`license_key_hash\` text not null, \`license_key_status\` text check (\`license_key_status\` in ('ACTIVE', 'INACTIVE', 'BLOCKED')) not null default 'ACTIVE', \`license_key_expires_at\` datetime null, \`created_at\` datetime not null, primary key (\`id\`));`);

    this.addSql(`create table \`auth_policy\` (\`id\` text not null, \`name\` text not null, \`status\` text check (\`status\` in ('ACTIVE', 'INACTIVE', 'BLOCKED')) not null default 'ACTIVE', \`auth_token_type\` text check (\`auth_token_type\` in ('RANDOM', 'PARTNER', 'POLICY')) not null, \`allowed_auth_types\` json not null, \`allowed_kyc_attributes\` json not null, \`created_at\` datetime not null, primary key (\`id\`));`);

    this.addSql(`create table \`auth_transaction\` (\`id\` text not null, \`identity_id\` text null, \`partner_id\` text not null, \`transaction_id\` text not null, \`request_type\` text check (\`request_type\` in ('OTP_REQUEST', 'OTP_AUTH', 'DEMO_AUTH', 'BIO_AUTH', 'EKYC_AUTH', 'KYC_AUTH', 'KYC_EXCHANGE', 'TOKEN_SEEDING')) not null, \`id_type\` text not null, \`success\` integer not null, \`error_code\` text null, \`token\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`auth_transaction_identity_id_transaction_id_index\` on \`auth_transaction\` (\`identity_id\`, \`transaction_id\`);`);
    this.addSql(`create index \`auth_transaction_partner_id_created_at_index\` on \`auth_transaction\` (\`partner_id\`, \`created_at\`);`);
    this.addSql(`create index \`auth_transaction_identity_id_created_at_index\` on \`auth_transaction\` (\`identity_id\`, \`created_at\`);`);

    this.addSql(`create table \`identity\` (\`id\` text not null, \`status\` text check (\`status\` in ('ACTIVATED', 'BLOCKED', 'DEACTIVATED')) not null default 'ACTIVATED', \`uin_hash\` text not null, \`uin_sealed\` text not null, \`person_token\` text not null, \`demographics_sealed\` text not null, \`biometric_reference_id\` text null, \`has_auth_locks\` integer not null default false, \`otp_frozen_until\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`identity_uin_hash_unique\` on \`identity\` (\`uin_hash\`);`);
    this.addSql(`create unique index \`identity_person_token_unique\` on \`identity\` (\`person_token\`);`);
    this.addSql(`create index \`identity_biometric_reference_id_index\` on \`identity\` (\`biometric_reference_id\`);`);

    this.addSql(`create table \`identity_enrollment\` (\`id\` text not null, \`status\` text check (\`status\` in ('ISSUED', 'DUPLICATE', 'MANUAL_ADJUDICATION', 'REJECTED')) not null, \`registrant_id\` text null, \`reference_id\` text not null, \`demographics_sealed\` text null, \`candidates\` json not null, \`identity_id\` text null, \`decided_at\` datetime null, \`decided_by\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);

    this.addSql(`create table \`job_chunk\` (\`id\` text not null, \`job_id\` text not null, \`seq\` integer not null, \`spec\` json not null, \`status\` text not null default 'PENDING', \`attempts\` integer not null default 0, \`last_error\` text null, \`finished_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`job_chunk_job_id_status_index\` on \`job_chunk\` (\`job_id\`, \`status\`);`);
    this.addSql(`create unique index \`job_chunk_job_id_seq_unique\` on \`job_chunk\` (\`job_id\`, \`seq\`);`);

    this.addSql(`create table \`job\` (\`id\` text not null, \`name\` text not null, \`idempotency_key\` text null, \`payload\` json not null, \`status\` text not null default 'PENDING', \`total_chunks\` integer not null default 0, \`done_chunks\` integer not null default 0, \`failed_chunks\` integer not null default 0, \`error\` text null, \`created_at\` datetime not null, \`finished_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create unique index \`job_idempotency_key_unique\` on \`job\` (\`idempotency_key\`);`);
    this.addSql(`create index \`job_status_index\` on \`job\` (\`status\`);`);

    this.addSql(`create table \`kyc_token\` (\`token_hash\` text not null, \`identity_id\` text not null, \`partner_id\` text not null, \`transaction_id\` text not null, \`individual_id_hash\` text not null, \`psut\` text not null, \`status\` text check (\`status\` in ('ACTIVE', 'PROCESSED')) not null default 'ACTIVE', \`expires_at\` datetime not null, \`created_at\` datetime not null, primary key (\`token_hash\`));`);

    this.addSql(`create table \`otp\` (\`id\` text not null, \`identity_id\` text not null, \`partner_id\` text not null, \`transaction_id\` text not null, \`code_hash\` text not null, \`status\` text check (\`status\` in ('ACTIVE', 'USED', 'FROZEN')) not null default 'ACTIVE', \`failures\` integer not null default 0, \`expires_at\` datetime not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`otp_identity_id_created_at_index\` on \`otp\` (\`identity_id\`, \`created_at\`);`);

    this.addSql(`create table \`notification_outbox\` (\`id\` text not null, \`channel\` text not null, \`payload_sealed\` text null, \`status\` text check (\`status\` in ('PENDING', 'SENDING', 'SENT', 'FAILED')) not null default 'PENDING', \`attempts\` integer not null default 0, \`next_attempt_at\` datetime not null, \`last_error\` text null, \`sent_at\` datetime null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`notification_outbox_status_next_attempt_at_index\` on \`notification_outbox\` (\`status\`, \`next_attempt_at\`);`);

    this.addSql(`create table \`registrant_identity\` (\`registrant_id\` text not null, \`identity_id\` text null, \`status\` text check (\`status\` in ('VERIFIED', 'FAILED')) not null, \`method\` text check (\`method\` in ('ENROLLMENT', 'TOKEN_SEEDING')) not null, \`verified_at\` datetime not null, \`error_code\` text null, \`seed_partner_id\` text null, \`seed_token\` text null, constraint \`registrant_identity_identity_id_foreign\` foreign key(\`identity_id\`) references \`identity\`(\`id\`) on delete set null on update cascade, primary key (\`registrant_id\`));`);
    this.addSql(`create index \`registrant_identity_identity_id_index\` on \`registrant_identity\` (\`identity_id\`);`);

    this.addSql(`create table \`token_seed_chunk\` (\`id\` text not null, \`batch_id\` text not null, \`seq\` integer not null, \`sealed\` text not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`token_seed_chunk_batch_id_seq_unique\` on \`token_seed_chunk\` (\`batch_id\`, \`seq\`);`);

    this.addSql(`create table \`vid\` (\`id\` text not null, \`identity_id\` text not null, \`vid_hash\` text not null, \`vid_sealed\` text not null, \`type\` text check (\`type\` in ('PERPETUAL', 'TEMPORARY', 'ONE_TIME_USE')) not null, \`status\` text check (\`status\` in ('ACTIVE', 'REVOKED', 'EXPIRED', 'USED', 'INVALIDATED', 'DEACTIVATED')) not null default 'ACTIVE', \`expires_at\` datetime null, \`transactions_allowed\` integer null, \`transactions_used\` integer not null default 0, \`replaced_by_id\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`vid_vid_hash_unique\` on \`vid\` (\`vid_hash\`);`);
    this.addSql(`create index \`vid_identity_id_type_status_index\` on \`vid\` (\`identity_id\`, \`type\`, \`status\`);`);
  }

}
