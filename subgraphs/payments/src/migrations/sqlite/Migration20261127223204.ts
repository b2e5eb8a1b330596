import { Migration } from '@mikro-orm/migrations';

export class Migration20261127223204 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`audit_log\` (\`id\` text not null, \`at\` datetime not null, \`actor\` text not null, \`actor_roles\` text not null, \`action\` text not null, \`entity_type\` text not null, \`entity_id\` text not null, \`changes\` json null, \`request_id\` text null, \`ip\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`audit_log_entity_type_entity_id_index\` on \`audit_log\` (\`entity_type\`, \`entity_id\`);`);

    this.addSql(`create table \`disbursement_batch\` (\`id\` text not null, \`client_correlation_id\` text not null, \`currency\` text not null, \`total_amount\` integer not null, \`payment_count\` integer not null, \`status\` text check (\`status\` in ('RECEIVED', 'COMPLETED', 'PARTIALLY_COMPLETED', 'FAILED', 'CANCELLED')) not null default 'RECEIVED', \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`disbursement_batch_client_correlation_id_unique\` on \`disbursement_batch\` (\`client_correlation_id\`);`);

    this.addSql(`create table \`job_chunk\` (\`id\` text not null, \`job_id\` text not null, \`seq\` integer not null, \`spec\` json not null, \`status\` text not null default 'PENDING', \`attempts\` integer not null default 0, \`last_error\` text null, \`finished_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`job_chunk_job_id_status_index\` on \`job_chunk\` (\`job_id\`, \`status\`);`);
    this.addSql(`create unique index \`job_chunk_job_id_seq_unique\` on \`job_chunk\` (\`job_id\`, \`seq\`);`);

    this.addSql(`create table \`job\` (\`id\` text not null, \`name\` text not null, \`idempotency_key\` text null, \`payload\` json not null, \`status\` text not null default 'PENDING', \`total_chunks\` integer not null default 0, \`done_chunks\` integer not null default 0, \`failed_chunks\` integer not null default 0, \`error\` text null, \`created_at\` datetime not null, \`finished_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create unique index \`job_idempotency_key_unique\` on \`job\` (\`idempotency_key\`);`);
    this.addSql(`create index \`job_status_index\` on \`job\` (\`status\`);`);

    this.addSql(`create table \`payment\` (\`id\` text not null, \`batch_id\` text not null, \`registrant_id\` text not null, \`amount\` integer not null, \`currency\` text not null, \`status\` text check (\`status\` in ('PENDING', 'SUCCEEDED', 'FAILED', 'UNKNOWN', 'CANCELLED')) not null default 'PENDING', \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`payment_batch_id_index\` on \`payment\` (\`batch_id\`);`);
    this.addSql(`create index \`payment_registrant_id_index\` on \`payment\` (\`registrant_id\`);`);
  }

}
