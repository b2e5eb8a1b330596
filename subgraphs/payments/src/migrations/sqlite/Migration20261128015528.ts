import { Migration } from '@mikro-orm/migrations';

/** Beneficiary notification outbox (issue 6 part C). Hand-trimmed: the generator also re-emitted unchanged tables (no-op diffs). */
export class Migration20261128015528 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`payment_notification\` (\`id\` text not null, \`dedupe_key\` text not null, \`payment_id\` text not null, \`batch_id\` text not null, \`channel\` text not null default 'SMS', \`recipient\` text null, \`text\` text not null, \`status\` text check (\`status\` in ('PENDING', 'SENDING', 'SENT', 'FAILED', 'SKIPPED')) not null default 'PENDING', \`attempts\` integer not null default 0, \`next_attempt_at\` datetime not null, \`last_error\` text null, \`sent_at\` datetime null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`payment_notification_dedupe_key_unique\` on \`payment_notification\` (\`dedupe_key\`);`);
    this.addSql(`create index \`payment_notification_batch_id_status_index\` on \`payment_notification\` (\`batch_id\`, \`status\`);`);
    this.addSql(`create index \`payment_notification_status_next_attempt_at_index\` on \`payment_notification\` (\`status\`, \`next_attempt_at\`);`);
  }

}
