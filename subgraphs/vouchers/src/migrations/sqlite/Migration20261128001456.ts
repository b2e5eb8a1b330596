import { Migration } from '@mikro-orm/migrations';

export class Migration20261128001456 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`audit_log\` (\`id\` text not null, \`at\` datetime not null, \`actor\` text not null, \`actor_roles\` text not null, \`action\` text not null, \`entity_type\` text not null, \`entity_id\` text not null, \`changes\` json null, \`request_id\` text null, \`ip\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`audit_log_entity_type_entity_id_index\` on \`audit_log\` (\`entity_type\`, \`entity_id\`);`);

    this.addSql(`create table \`job_chunk\` (\`id\` text not null, \`job_id\` text not null, \`seq\` integer not null, \`spec\` json not null, \`status\` text not null default 'PENDING', \`attempts\` integer not null default 0, \`last_error\` text null, \`finished_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`job_chunk_job_id_status_index\` on \`job_chunk\` (\`job_id\`, \`status\`);`);
    this.addSql(`create unique index \`job_chunk_job_id_seq_unique\` on \`job_chunk\` (\`job_id\`, \`seq\`);`);

    this.addSql(`create table \`job\` (\`id\` text not null, \`name\` text not null, \`idempotency_key\` text null, \`payload\` json not null, \`status\` text not null default 'PENDING', \`total_chunks\` integer not null default 0, \`done_chunks\` integer not null default 0, \`failed_chunks\` integer not null default 0, \`error\` text null, \`created_at\` datetime not null, \`finished_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create unique index \`job_idempotency_key_unique\` on \`job\` (\`idempotency_key\`);`);
    this.addSql(`create index \`job_status_index\` on \`job\` (\`status\`);`);

    this.addSql(`create table \`merchant\` (\`id\` text not null, \`code\` text not null, \`name\` text not null, \`group_code\` text null, \`financial_address\` text not null, \`status\` text check (\`status\` in ('PENDING', 'APPROVED', 'SUSPENDED')) not null default 'PENDING', \`failed_secret_attempts\` integer not null default 0, \`locked_until\` datetime null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`merchant_code_unique\` on \`merchant\` (\`code\`);`);

    this.addSql(`create table \`redemption\` (\`id\` text not null, \`voucher_id\` text not null, \`merchant_id\` text not null, \`program_id\` text not null, \`amount\` integer null, \`currency\` text null, \`presence_transaction_id\` text null, \`reimbursement_status\` text check (\`reimbursement_status\` in ('PENDING', 'PAID', 'FAILED')) not null default 'PENDING', \`at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`redemption_voucher_id_unique\` on \`redemption\` (\`voucher_id\`);`);
    this.addSql(`create index \`redemption_program_id_merchant_id_index\` on \`redemption\` (\`program_id\`, \`merchant_id\`);`);
    this.addSql(`create index \`redemption_merchant_id_at_index\` on \`redemption\` (\`merchant_id\`, \`at\`);`);

    this.addSql(`create table \`signing_key\` (\`kid\` text not null, \`private_jwk\` json not null, \`public_jwk\` json not null, \`created_at\` datetime not null, primary key (\`kid\`));`);

    this.addSql(`create table \`voucher\` (\`id\` text not null, \`instruction_id\` text not null, \`serial_number\` text not null, \`secret_hash\` text not null, \`program_id\` text not null, \`cycle_id\` text null, \`group_code\` text null, \`registrant_id\` text not null, \`value\` integer null, \`currency\` text null, \`basket\` json null, \`status\` text check (\`status\` in ('INACTIVE', 'ACTIVE', 'SUSPENDED', 'UTILIZED', 'CANCELLED', 'EXPIRED')) not null default 'INACTIVE', \`presence_required\` integer not null default true, \`activated_at\` datetime null, \`expires_at\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`voucher_instruction_id_unique\` on \`voucher\` (\`instruction_id\`);`);
    this.addSql(`create unique index \`voucher_serial_number_unique\` on \`voucher\` (\`serial_number\`);`);
    this.addSql(`create unique index \`voucher_secret_hash_unique\` on \`voucher\` (\`secret_hash\`);`);
    this.addSql(`create index \`voucher_status_expires_at_index\` on \`voucher\` (\`status\`, \`expires_at\`);`);
    this.addSql(`create index \`voucher_program_id_status_index\` on \`voucher\` (\`program_id\`, \`status\`);`);
    this.addSql(`create index \`voucher_registrant_id_index\` on \`voucher\` (\`registrant_id\`);`);

    this.addSql(`create table \`voucher_batch\` (\`id\` text not null, \`batch_id\` text not null, \`delivery_key\` json not null, \`instruction_count\` integer not null, \`job_id\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`voucher_batch_batch_id_unique\` on \`voucher_batch\` (\`batch_id\`);`);

    this.addSql(`create table \`voucher_delivery\` (\`id\` text not null, \`batch_id\` text not null, \`chunk\` integer not null, \`count\` integer not null, \`jwe\` text not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`voucher_delivery_batch_id_chunk_unique\` on \`voucher_delivery\` (\`batch_id\`, \`chunk\`);`);

    this.addSql(`create table \`voucher_event\` (\`id\` text not null, \`voucher_id\` text not null, \`from_status\` text check (\`from_status\` in ('INACTIVE', 'ACTIVE', 'SUSPENDED', 'UTILIZED', 'CANCELLED', 'EXPIRED')) null, \`to_status\` text check (\`to_status\` in ('INACTIVE', 'ACTIVE', 'SUSPENDED', 'UTILIZED', 'CANCELLED', 'EXPIRED')) not null, \`action\` text not null, \`reason\` text null, \`actor\` text not null, \`at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`voucher_event_voucher_id_at_index\` on \`voucher_event\` (\`voucher_id\`, \`at\`);`);

    this.addSql(`create table \`voucher_instruction\` (\`id\` text not null, \`batch_id\` text not null, \`seq\` integer not null, \`input\` json not null, primary key (\`id\`));`);
    this.addSql(`create index \`voucher_instruction_batch_id_seq_index\` on \`voucher_instruction\` (\`batch_id\`, \`seq\`);`);
  }

}
