import { Migration } from '@mikro-orm/migrations';

/** Settlements, cycle issuance, areas (generated; the back-fill of active_voucher_id added by hand). */
export class Migration20261128012301 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "vouchers"."voucher_settlement" ("id" uuid not null, "merchant_id" uuid not null, "program_id" uuid not null, "currency" varchar(3) not null, "client_correlation_id" varchar(100) not null, "redemption_count" int not null, "total_amount" numeric(20,2) not null, "financial_address" varchar(200) not null, "status" text check ("status" in ('CREATED', 'SUBMITTED', 'COMPLETED', 'PARTIALLY_PAID', 'FAILED')) not null default 'CREATED', "status_reason" varchar(500) null, "payments_batch_id" uuid null, "job_id" uuid null, "paid_count" int null, "failed_count" int null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "voucher_settlement_pkey" primary key ("id"));`);
    this.addSql(`alter table "vouchers"."voucher_settlement" add constraint "voucher_settlement_client_correlation_id_unique" unique ("client_correlation_id");`);
    this.addSql(`create index "voucher_settlement_merchant_id_created_at_index" on "vouchers"."voucher_settlement" ("merchant_id", "created_at");`);
    this.addSql(`create index "voucher_settlement_status_index" on "vouchers"."voucher_settlement" ("status");`);

    this.addSql(`alter table "vouchers"."redemption" drop constraint if exists "redemption_reimbursement_status_check";`);

    this.addSql(`alter table "vouchers"."redemption" drop constraint "redemption_voucher_id_unique";`);

    this.addSql(`alter table "vouchers"."redemption" add column "active_voucher_id" uuid null, add column "settlement_id" uuid null, add column "payout_failure_reason" varchar(500) null;`);
    this.addSql(`alter table "vouchers"."redemption" add constraint "redemption_reimbursement_status_check" check("reimbursement_status" in ('PENDING', 'SUBMITTED', 'PAID', 'FAILED'));`);
    // Existing redemptions all stand: back-fill the new unique key before it is created.
    this.addSql(`update "vouchers"."redemption" set "active_voucher_id" = "voucher_id";`);
    this.addSql(`alter table "vouchers"."redemption" add constraint "redemption_active_voucher_id_unique" unique ("active_voucher_id");`);
    this.addSql(`create index "redemption_merchant_id_reimbursement_status_index" on "vouchers"."redemption" ("merchant_id", "reimbursement_status");`);
    this.addSql(`create index "redemption_settlement_id_index" on "vouchers"."redemption" ("settlement_id");`);
    this.addSql(`create index "redemption_voucher_id_index" on "vouchers"."redemption" ("voucher_id");`);

    this.addSql(`alter table "vouchers"."voucher" add column "area_code" varchar(50) null;`);
    this.addSql(`create index "voucher_cycle_id_index" on "vouchers"."voucher" ("cycle_id");`);

    this.addSql(`alter table "vouchers"."voucher_batch" add column "cycle_id" uuid null, add column "options" jsonb null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "vouchers"."voucher_settlement" cascade;`);

    this.addSql(`alter table "vouchers"."redemption" drop constraint if exists "redemption_reimbursement_status_check";`);

    this.addSql(`alter table "vouchers"."redemption" drop constraint "redemption_active_voucher_id_unique";`);
    this.addSql(`drop index "vouchers"."redemption_merchant_id_reimbursement_status_index";`);
    this.addSql(`drop index "vouchers"."redemption_settlement_id_index";`);
    this.addSql(`drop index "vouchers"."redemption_voucher_id_index";`);
    this.addSql(`alter table "vouchers"."redemption" drop column "active_voucher_id", drop column "settlement_id", drop column "payout_failure_reason";`);

    this.addSql(`alter table "vouchers"."redemption" add constraint "redemption_reimbursement_status_check" check("reimbursement_status" in ('PENDING', 'PAID', 'FAILED'));`);
    this.addSql(`alter table "vouchers"."redemption" add constraint "redemption_voucher_id_unique" unique ("voucher_id");`);

    this.addSql(`drop index "vouchers"."voucher_cycle_id_index";`);
    this.addSql(`alter table "vouchers"."voucher" drop column "area_code";`);

    this.addSql(`alter table "vouchers"."voucher_batch" drop column "cycle_id", drop column "options";`);
  }

}
