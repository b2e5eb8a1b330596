import { Migration } from '@mikro-orm/migrations';

/**
 * Bulk issuance, fewer and smaller index writes per voucher (docs/vouchers.md, Performance):
 * - `secret_hash` becomes the 32 raw bytes of the HMAC instead of 64 hex characters: SQLite cannot
 *   change a column's type, so `voucher` is rebuilt; existing hashes are converted with `unhex`
 *   (SQLite ≥ 3.41) and the unique index is created again.
 * - `(program_id, status)` and `(cycle_id)` become one index `(program_id, cycle_id, status)`: the
 *   reports filter by program, or by program and cycle; nothing else reads them.
 */
export class Migration20261128080002 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`voucher__temp_alter\` (\`id\` text not null, \`instruction_id\` text not null, \`serial_number\` text not null, \`secret_hash\` blob not null, \`program_id\` text not null, \`cycle_id\` text null, \`group_code\` text null, \`registrant_id\` text not null, \`area_code\` text null, \`value\` integer null, \`currency\` text null, \`basket\` json null, \`status\` text check (\`status\` in ('INACTIVE', 'ACTIVE', 'SUSPENDED', 'UTILIZED', 'CANCELLED', 'EXPIRED')) not null default 'INACTIVE', \`presence_required\` integer not null default true, \`activated_at\` datetime null, \`expires_at\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`insert into \`voucher__temp_alter\` (\`id\`, \`instruction_id\`, \`serial_number\`, \`secret_hash\`, \`program_id\`, \`cycle_id\`, \`group_code\`, \`registrant_id\`, \`area_code\`, \`value\`, \`currency\`, \`basket\`, \`status\`, \`presence_required\`, \`activated_at\`, \`expires_at\`, \`created_at\`, \`updated_at\`) select \`id\`, \`instruction_id\`, \`serial_number\`, case when typeof(\`secret_hash\`) = 'text' then unhex(\`secret_hash\`) else \`secret_hash\` end, \`program_id\`, \`cycle_id\`, \`group_code\`, \`registrant_id\`, \`area_code\`, \`value\`, \`currency\`, \`basket\`, \`status\`, \`presence_required\`, \`activated_at\`, \`expires_at\`, \`created_at\`, \`updated_at\` from \`voucher\`;`);
    this.addSql(`drop table \`voucher\`;`);
    this.addSql(`alter table \`voucher__temp_alter\` rename to \`voucher\`;`);
    this.addSql(`create unique index \`voucher_instruction_id_unique\` on \`voucher\` (\`instruction_id\`);`);
    this.addSql(`create unique index \`voucher_serial_number_unique\` on \`voucher\` (\`serial_number\`);`);
    this.addSql(`create unique index \`voucher_secret_hash_unique\` on \`voucher\` (\`secret_hash\`);`);
    this.addSql(`create index \`voucher_status_expires_at_index\` on \`voucher\` (\`status\`, \`expires_at\`);`);
    this.addSql(`create index \`voucher_program_id_cycle_id_status_index\` on \`voucher\` (\`program_id\`, \`cycle_id\`, \`status\`);`);
    this.addSql(`create index \`voucher_registrant_id_index\` on \`voucher\` (\`registrant_id\`);`);
  }

}
