import { Migration } from '@mikro-orm/migrations';

/**
 * Name-and-birth-date blocking keys become `b:<phonetic code>:<birth date>` (one per name token)
 * instead of `n:<code>:y<bucket>` + `n:<code>:h<bucket>` (two per token): deduplication then reads a
 * birth-date window as one range of the key index. Existing registrants get their `b:` keys from
 * their `n:` keys (the code) and their birth date; the `n:` keys are dropped.
 */
export class Migration20261128043001 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`insert into "registry"."registrant_key" ("key", "registrant_id") select distinct 'b:' || split_part(k."key", ':', 2) || ':' || r."birth_date", k."registrant_id" from "registry"."registrant_key" k join "registry"."registrant" r on r."id" = k."registrant_id" where k."key" >= 'n:' and k."key" < 'n;' and r."birth_date" is not null on conflict do nothing;`);
    this.addSql(`delete from "registry"."registrant_key" where "key" >= 'n:' and "key" < 'n;';`);
  }

}
