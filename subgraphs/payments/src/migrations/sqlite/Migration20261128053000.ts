import { Migration } from '@mikro-orm/migrations';

/** Notification templates per program and language, e-mail channel; language and e-mail on payments (issue 6 part C). Hand-written in the generator's layout. */
export class Migration20261128053000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`payment_notification_template\` (\`id\` text not null, \`program_code\` text not null, \`language\` text not null, \`event\` text check (\`event\` in ('COMPLETED', 'FAILED')) not null, \`channel\` text check (\`channel\` in ('SMS', 'EMAIL')) not null, \`subject\` text null, \`body\` text not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`payment_notification_template_program_code_language_event_channel_unique\` on \`payment_notification_template\` (\`program_code\`, \`language\`, \`event\`, \`channel\`);`);
    this.addSql(`alter table \`payment\` add column \`language\` text null;`);
    this.addSql(`alter table \`payment\` add column \`email\` text null;`);
    this.addSql(`alter table \`payment_notification\` add column \`subject\` text null;`);
  }

}
