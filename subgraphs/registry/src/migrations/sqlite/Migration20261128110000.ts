import { Migration } from '@mikro-orm/migrations';
import { rebuildAllKeys } from '../rebuild-keys';

/**
 * Fewer index entries per registrant (each one a random B-tree write on every import):
 * 1. Name-and-birth-date blocking keys become `b:<code>:<letter>:<birth date>`, two per ordered pair
 *    of a person's distinct name tokens (the code of one with the first, and with the last, letter of
 *    the other), `b:<code>::<date>` for a single-token name (normalize.ts `birthKeys`).
 * 2. `t:<token>` keys go: an exact-token search reads the `p:` key and checks `name_sort`.
 * 3. Indexes no query reads: `registrant_key(registrant_id)` (a registrant's key rows are deleted
 *    by primary key, services/keys.ts), `registrant(admin_area_path)`, `registrant(primary_phone)`
 *    (areas and phones are found through keys), `identifier(registrant_id)` (the unique
 *    `(registrant_id, type)` index serves it).
 * The letters come from the names as written, which SQL cannot fold as `nameTokens` does: every
 * registrant's keys are rebuilt from its stored values (rebuild-keys.ts), a page at a time.
 */
export class Migration20261128110000 extends Migration {

  override async up(): Promise<void> {
    // Indexes first: the key rebuild then writes one B-tree entry per key row, not two.
    await this.execute(`drop index if exists \`registrant_key_registrant_id_index\`;`);
    await this.execute(`drop index if exists \`registrant_admin_area_path_index\`;`);
    await this.execute(`drop index if exists \`registrant_primary_phone_index\`;`);
    await this.execute(`drop index if exists \`identifier_registrant_id_index\`;`);
    await rebuildAllKeys((sql, params) => this.execute(sql, params), (name) => `\`${name}\``, { pg: false });
  }

}
