import { Migration } from '@mikro-orm/migrations';

export class Migration20261127225156 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`audit_log\` (\`id\` text not null, \`at\` datetime not null, \`actor\` text not null, \`actor_roles\` text not null, \`action\` text not null, \`entity_type\` text not null, \`entity_id\` text not null, \`changes\` json null, \`request_id\` text null, \`ip\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`audit_log_entity_type_entity_id_index\` on \`audit_log\` (\`entity_type\`, \`entity_id\`);`);

    this.addSql(`create table \`cycle\` (\`id\` text not null, \`program_id\` text not null, \`name\` text not null, \`start_date\` text not null, \`end_date\` text not null, \`state\` text check (\`state\` in ('DRAFT', 'TO_APPROVE', 'APPROVED', 'DISTRIBUTED', 'CANCELLED', 'ENDED')) not null default 'DRAFT', \`round\` integer not null default 0, \`approved_stages\` integer not null default 0, \`evaluation_run_id\` text null, \`generation_run_id\` text null, \`created_by\` text not null, \`submitted_by\` text null, \`rejection_reason\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`cycle_program_id_created_at_index\` on \`cycle\` (\`program_id\`, \`created_at\`);`);

    this.addSql(`create table \`cycle_approval\` (\`id\` text not null, \`cycle_id\` text not null, \`round\` integer not null, \`stage\` integer not null, \`stage_name\` text not null, \`role\` text not null, \`decision\` text check (\`decision\` in ('APPROVED', 'REJECTED')) not null, \`actor\` text not null, \`reason\` text null, \`at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`cycle_approval_cycle_id_at_index\` on \`cycle_approval\` (\`cycle_id\`, \`at\`);`);

    this.addSql(`create table \`enrollment\` (\`id\` text not null, \`program_id\` text not null, \`registrant_id\` text not null, \`state\` text check (\`state\` in ('DRAFT', 'ENROLLED', 'PAUSED', 'EXITED', 'NOT_ELIGIBLE', 'DUPLICATED')) not null default 'DRAFT', \`score\` double null, \`explanation\` json null, \`household_size\` integer not null default 1, \`evaluated_at\` datetime null, \`last_run_id\` text null, \`evaluation_error\` text null, \`override_reason\` text null, \`overridden_by\` text null, \`overridden_at\` datetime null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`enrollment_program_id_state_id_index\` on \`enrollment\` (\`program_id\`, \`state\`, \`id\`);`);
    this.addSql(`create index \`enrollment_registrant_id_index\` on \`enrollment\` (\`registrant_id\`);`);
    this.addSql(`create unique index \`enrollment_program_id_registrant_id_unique\` on \`enrollment\` (\`program_id\`, \`registrant_id\`);`);

    this.addSql(`create table \`entitlement\` (\`id\` text not null, \`cycle_id\` text not null, \`program_id\` text not null, \`registrant_id\` text not null, \`enrollment_id\` text not null, \`amount\` integer not null, \`fee\` integer not null, \`currency\` text not null, \`items\` json null, \`valid_from\` text not null, \`valid_until\` text not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`entitlement_registrant_id_index\` on \`entitlement\` (\`registrant_id\`);`);
    this.addSql(`create index \`entitlement_cycle_id_created_at_id_index\` on \`entitlement\` (\`cycle_id\`, \`created_at\`, \`id\`);`);
    this.addSql(`create unique index \`entitlement_cycle_id_registrant_id_unique\` on \`entitlement\` (\`cycle_id\`, \`registrant_id\`);`);

    this.addSql(`create table \`job_chunk\` (\`id\` text not null, \`job_id\` text not null, \`seq\` integer not null, \`spec\` json not null, \`status\` text not null default 'PENDING', \`attempts\` integer not null default 0, \`last_error\` text null, \`finished_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`job_chunk_job_id_status_index\` on \`job_chunk\` (\`job_id\`, \`status\`);`);
    this.addSql(`create unique index \`job_chunk_job_id_seq_unique\` on \`job_chunk\` (\`job_id\`, \`seq\`);`);

    this.addSql(`create table \`job\` (\`id\` text not null, \`name\` text not null, \`idempotency_key\` text null, \`payload\` json not null, \`status\` text not null default 'PENDING', \`total_chunks\` integer not null default 0, \`done_chunks\` integer not null default 0, \`failed_chunks\` integer not null default 0, \`error\` text null, \`created_at\` datetime not null, \`finished_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create unique index \`job_idempotency_key_unique\` on \`job\` (\`idempotency_key\`);`);
    this.addSql(`create index \`job_status_index\` on \`job\` (\`status\`);`);

    this.addSql(`create table \`program\` (\`id\` text not null, \`name\` text not null, \`target\` text check (\`target\` in ('INDIVIDUAL', 'GROUP')) not null, \`currency\` text not null, \`benefit_kind\` text check (\`benefit_kind\` in ('CASH', 'IN_KIND', 'VOUCHER', 'SERVICE')) not null default 'CASH', \`budget\` integer null, \`ministry\` text null, \`manager_roles\` json not null, \`criteria\` json not null, \`scoring\` json null, \`entitlement_formula\` json not null, \`approval_stages\` json not null default '[{"name":"Approval","role":"approver"}]', \`created_by\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);

    this.addSql(`create table \`program_run\` (\`id\` text not null, \`kind\` text check (\`kind\` in ('EVALUATION', 'ENTITLEMENTS')) not null, \`program_id\` text not null, \`cycle_id\` text null, \`job_id\` text null, \`as_of\` text not null, \`processed\` integer not null default 0, \`eligible\` integer not null default 0, \`not_eligible\` integer not null default 0, \`errors\` integer not null default 0, \`created\` integer not null default 0, \`created_by\` text not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`program_run_program_id_created_at_index\` on \`program_run\` (\`program_id\`, \`created_at\`);`);
  }

}
