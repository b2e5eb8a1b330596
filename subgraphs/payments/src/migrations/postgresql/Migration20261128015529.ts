import { Migration } from '@mikro-orm/migrations';

/** Beneficiary notification outbox (issue 6 part C). Hand-trimmed: the generator also re-emitted unchanged tables (no-op diffs). */
export class Migration20261128015529 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "payments"."payment_notification" ("id" uuid not null, "dedupe_key" varchar(200) not null, "payment_id" uuid not null, "batch_id" uuid not null, "channel" varchar(20) not null default 'SMS', "recipient" varchar(50) null, "text" text not null, "status" text check ("status" in ('PENDING', 'SENDING', 'SENT', 'FAILED', 'SKIPPED')) not null default 'PENDING', "attempts" int not null default 0, "next_attempt_at" timestamptz not null, "last_error" text null, "sent_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "payment_notification_pkey" primary key ("id"));`);
    this.addSql(`alter table "payments"."payment_notification" add constraint "payment_notification_dedupe_key_unique" unique ("dedupe_key");`);
    this.addSql(`create index "payment_notification_batch_id_status_index" on "payments"."payment_notification" ("batch_id", "status");`);
    this.addSql(`create index "payment_notification_status_next_attempt_at_index" on "payments"."payment_notification" ("status", "next_attempt_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payments"."payment_notification" cascade;`);
  }

}
