import { Migration } from '@mikro-orm/migrations';

/**
 * 1. `registrant_key` becomes a WITHOUT ROWID table: its primary key (key, registrant_id) is the
 *    table itself, so each of the ~10 key rows a registrant has costs two B-tree inserts, not three
 *    (rowid table + primary-key index + registrant index). Same columns, same indexes.
 * 2. Name-and-birth-date blocking keys become `b:<phonetic code>:<birth date>` (one per name token)
 *    instead of `n:<code>:y<bucket>` + `n:<code>:h<bucket>` (two per token): deduplication reads a
 *    birth-date window as one range of the key index. Existing registrants get their `b:` keys from
 *    their `n:` keys (the code) and their birth date; the `n:` keys are dropped.
 */
export class Migration20261128043000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`registrant_key_new\` (\`key\` text not null, \`registrant_id\` text not null, primary key (\`key\`, \`registrant_id\`)) without rowid;`);
    this.addSql(`insert into \`registrant_key_new\` (\`key\`, \`registrant_id\`) select \`key\`, \`registrant_id\` from \`registrant_key\`;`);
    this.addSql(`drop table \`registrant_key\`;`);
    this.addSql(`alter table \`registrant_key_new\` rename to \`registrant_key\`;`);
    this.addSql(`create index \`registrant_key_registrant_id_index\` on \`registrant_key\` (\`registrant_id\`);`);

    this.addSql(`insert or ignore into \`registrant_key\` (\`key\`, \`registrant_id\`) select distinct 'b:' || substr(k.\`key\`, 3, instr(substr(k.\`key\`, 3), ':') - 1) || ':' || r.\`birth_date\`, k.\`registrant_id\` from \`registrant_key\` k join \`registrant\` r on r.\`id\` = k.\`registrant_id\` where k.\`key\` >= 'n:' and k.\`key\` < 'n;' and r.\`birth_date\` is not null;`);
    this.addSql(`delete from \`registrant_key\` where \`key\` >= 'n:' and \`key\` < 'n;';`);
  }

}
