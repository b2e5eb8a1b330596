import { Migration } from '@mikro-orm/migrations';

/**
 * Bulk issuance, fewer and smaller index writes per voucher (docs/vouchers.md, Performance):
 * `secret_hash` becomes the 32 raw bytes of the HMAC (bytea) instead of 64 hex characters (existing
 * hashes decoded in place; PostgreSQL rebuilds the unique index with the column), and
 * `(program_id, status)` + `(cycle_id)` become one index `(program_id, cycle_id, status)`.
 */
export class Migration20261128080003 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "vouchers"."voucher" alter column "secret_hash" type bytea using decode("secret_hash", 'hex');`);
    this.addSql(`drop index "vouchers"."voucher_program_id_status_index";`);
    this.addSql(`drop index "vouchers"."voucher_cycle_id_index";`);
    this.addSql(`create index "voucher_program_id_cycle_id_status_index" on "vouchers"."voucher" ("program_id", "cycle_id", "status");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "vouchers"."voucher_program_id_cycle_id_status_index";`);
    this.addSql(`create index "voucher_cycle_id_index" on "vouchers"."voucher" ("cycle_id");`);
    this.addSql(`create index "voucher_program_id_status_index" on "vouchers"."voucher" ("program_id", "status");`);
    this.addSql(`alter table "vouchers"."voucher" alter column "secret_hash" type varchar(64) using encode("secret_hash", 'hex');`);
  }

}
