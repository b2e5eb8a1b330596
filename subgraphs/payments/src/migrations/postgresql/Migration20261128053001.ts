import { Migration } from '@mikro-orm/migrations';

/** Notification templates per program and language, e-mail channel; language and e-mail on payments (issue 6 part C). Hand-written in the generator's layout. */
export class Migration20261128053001 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "payments"."payment_notification_template" ("id" uuid not null, "program_code" varchar(100) not null, "language" varchar(35) not null, "event" text check ("event" in ('COMPLETED', 'FAILED')) not null, "channel" text check ("channel" in ('SMS', 'EMAIL')) not null, "subject" varchar(200) null, "body" text not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "payment_notification_template_pkey" primary key ("id"));`);
    this.addSql(`alter table "payments"."payment_notification_template" add constraint "payment_notification_template_program_code_langua_cdae1_unique" unique ("program_code", "language", "event", "channel");`);
    this.addSql(`alter table "payments"."payment" add column "language" varchar(35) null, add column "email" varchar(254) null;`);
    this.addSql(`alter table "payments"."payment_notification" add column "subject" varchar(200) null;`);
    this.addSql(`alter table "payments"."payment_notification" alter column "recipient" type varchar(320) using ("recipient"::varchar(320));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payments"."payment_notification_template" cascade;`);
    this.addSql(`alter table "payments"."payment" drop column "language", drop column "email";`);
    this.addSql(`alter table "payments"."payment_notification" drop column "subject";`);
    this.addSql(`alter table "payments"."payment_notification" alter column "recipient" type varchar(50) using ("recipient"::varchar(50));`);
  }

}
