import { Migration } from '@mikro-orm/migrations';

export class Migration20261127230904 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`audit_log\` (\`id\` text not null, \`at\` datetime not null, \`actor\` text not null, \`actor_roles\` text not null, \`action\` text not null, \`entity_type\` text not null, \`entity_id\` text not null, \`changes\` json null, \`request_id\` text null, \`ip\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`audit_log_entity_type_entity_id_index\` on \`audit_log\` (\`entity_type\`, \`entity_id\`);`);

    this.addSql(`create table \`dedup_candidate\` (\`id\` text not null, \`registrant_a\` text not null, \`registrant_b\` text not null, \`score\` double not null, \`reasons\` json not null, \`status\` text check (\`status\` in ('PENDING', 'CONFIRMED', 'DISMISSED')) not null default 'PENDING', \`created_at\` datetime not null, \`decided_by\` text null, primary key (\`id\`));`);
    this.addSql(`create index \`dedup_candidate_status_created_at_id_index\` on \`dedup_candidate\` (\`status\`, \`created_at\`, \`id\`);`);
    this.addSql(`create unique index \`dedup_candidate_registrant_a_registrant_b_unique\` on \`dedup_candidate\` (\`registrant_a\`, \`registrant_b\`);`);

    this.addSql(`create table \`financial_address\` (\`id\` text not null, \`registrant_id\` text not null, \`kind\` text check (\`kind\` in ('BANK_ACCOUNT', 'MOBILE_MONEY', 'WALLET')) not null, \`iban\` text null, \`msisdn\` text null, \`wallet_id\` text null, \`provider\` text null, \`primary\` integer not null default false, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`financial_address_registrant_id_index\` on \`financial_address\` (\`registrant_id\`);`);

    this.addSql(`create table \`group_membership\` (\`id\` text not null, \`group_id\` text not null, \`individual_id\` text not null, \`role\` text null, \`start_date\` text null, \`end_date\` text null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`group_membership_individual_id_index\` on \`group_membership\` (\`individual_id\`);`);
    this.addSql(`create index \`group_membership_group_id_index\` on \`group_membership\` (\`group_id\`);`);

    this.addSql(`create table \`identifier\` (\`id\` text not null, \`registrant_id\` text not null, \`type\` text not null, \`value\` text not null, \`created_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`identifier_value_index\` on \`identifier\` (\`value\`);`);
    this.addSql(`create index \`identifier_registrant_id_index\` on \`identifier\` (\`registrant_id\`);`);
    this.addSql(`create unique index \`identifier_registrant_id_type_unique\` on \`identifier\` (\`registrant_id\`, \`type\`);`);
    this.addSql(`create unique index \`identifier_type_value_unique\` on \`identifier\` (\`type\`, \`value\`);`);

    this.addSql(`create table \`id_type\` (\`name\` text not null, \`pattern\` text null, \`description\` text null, primary key (\`name\`));`);

    this.addSql(`create table \`import_issue\` (\`id\` text not null, \`import_id\` text not null, \`row_no\` integer not null, \`source_id\` text null, \`field\` text not null, \`reason\` text not null, \`message\` text not null, primary key (\`id\`));`);
    this.addSql(`create index \`import_issue_import_id_row_no_index\` on \`import_issue\` (\`import_id\`, \`row_no\`);`);

    this.addSql(`create table \`import_row\` (\`import_id\` text not null, \`row_no\` integer not null, \`data\` json not null, primary key (\`import_id\`, \`row_no\`));`);

    this.addSql(`create table \`job_chunk\` (\`id\` text not null, \`job_id\` text not null, \`seq\` integer not null, \`spec\` json not null, \`status\` text not null default 'PENDING', \`attempts\` integer not null default 0, \`last_error\` text null, \`finished_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create index \`job_chunk_job_id_status_index\` on \`job_chunk\` (\`job_id\`, \`status\`);`);
    this.addSql(`create unique index \`job_chunk_job_id_seq_unique\` on \`job_chunk\` (\`job_id\`, \`seq\`);`);

    this.addSql(`create table \`job\` (\`id\` text not null, \`name\` text not null, \`idempotency_key\` text null, \`payload\` json not null, \`status\` text not null default 'PENDING', \`total_chunks\` integer not null default 0, \`done_chunks\` integer not null default 0, \`failed_chunks\` integer not null default 0, \`error\` text null, \`created_at\` datetime not null, \`finished_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create unique index \`job_idempotency_key_unique\` on \`job\` (\`idempotency_key\`);`);
    this.addSql(`create index \`job_status_index\` on \`job\` (\`status\`);`);

    this.addSql(`create table \`registrant\` (\`id\` text not null, \`kind\` text check (\`kind\` in ('INDIVIDUAL', 'GROUP')) not null, \`group_kind\` text check (\`group_kind\` in ('HOUSEHOLD', 'FAMILY')) null, \`given_name\` text null, \`family_name\` text null, \`other_names\` text null, \`group_name\` text null, \`name_sort\` text not null default '', \`birth_date\` text null, \`birth_date_approximate\` integer not null default false, \`sex\` text check (\`sex\` in ('MALE', 'FEMALE', 'OTHER', 'UNKNOWN')) null, \`phones\` json not null, \`primary_phone\` text null, \`address_line\` text null, \`admin_area_code\` text null, \`admin_area_path\` text null, \`disability\` integer null, \`status\` text check (\`status\` in ('ACTIVE', 'INACTIVE', 'MERGED')) not null default 'ACTIVE', \`merged_into_id\` text null, \`registration_date\` text null, \`source\` text check (\`source\` in ('API', 'ODK', 'CSV', 'JSON')) not null default 'API', \`source_id\` text null, \`extra\` json null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`registrant_primary_phone_index\` on \`registrant\` (\`primary_phone\`);`);
    this.addSql(`create index \`registrant_birth_date_index\` on \`registrant\` (\`birth_date\`);`);
    this.addSql(`create index \`registrant_admin_area_path_index\` on \`registrant\` (\`admin_area_path\`);`);
    this.addSql(`create index \`registrant_name_sort_id_index\` on \`registrant\` (\`name_sort\`, \`id\`);`);
    this.addSql(`create index \`registrant_created_at_id_index\` on \`registrant\` (\`created_at\`, \`id\`);`);
    this.addSql(`create unique index \`registrant_source_source_id_unique\` on \`registrant\` (\`source\`, \`source_id\`);`);

    this.addSql(`create table \`registrant_key\` (\`key\` text not null, \`registrant_id\` text not null, primary key (\`key\`, \`registrant_id\`));`);
    this.addSql(`create index \`registrant_key_registrant_id_index\` on \`registrant_key\` (\`registrant_id\`);`);

    this.addSql(`create table \`registry_import\` (\`id\` text not null, \`source\` text check (\`source\` in ('API', 'ODK', 'CSV', 'JSON')) not null, \`job_id\` text null, \`config\` json not null, \`rows_staged\` integer not null default 0, \`created\` integer not null default 0, \`updated\` integer not null default 0, \`unchanged\` integer not null default 0, \`failed_rows\` integer not null default 0, \`high_watermark\` text null, \`created_at\` datetime not null, \`created_by\` text not null, primary key (\`id\`));`);

    this.addSql(`create table \`registry_setting\` (\`name\` text not null, \`value\` json not null, primary key (\`name\`));`);

    // At most one current HEAD per group (the service checks first, with a clear error).
    this.addSql(`create unique index \`group_membership_one_head\` on \`group_membership\` (\`group_id\`) where \`role\` = 'HEAD' and \`end_date\` is null;`);
  }

}
