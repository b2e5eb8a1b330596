import { Entity, PrimaryKey } from "@mikro-orm/core";

/**
 * Search and blocking keys of a registrant (works the same on SQLite and PostgreSQL):
 * `p:<code>` phonetic code of a name token (name search), `a:<area>` per ancestor area,
 * `b:<code>:<letter>:<birth date>`, `d:<birth date>:<area>`, `ph:<phone>` (deduplication blocks).
 * No index on registrant_id: a registrant's rows are deleted by primary key (services/keys.ts).
 */
@Entity({ tableName: "registrant_key" })
export class RegistrantKey {
  @PrimaryKey({ type: "string", length: 200 })
  key!: string;

  @PrimaryKey({ type: "uuid" })
  registrantId!: string;
}
