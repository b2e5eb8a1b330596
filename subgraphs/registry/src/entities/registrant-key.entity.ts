import { Entity, Index, PrimaryKey } from "@mikro-orm/core";

/**
 * Search and blocking keys of a registrant (works the same on SQLite and PostgreSQL):
 * `t:<token>` normalised name token, `p:<code>` phonetic code of a token (fuzzy name search),
 * `b:<code>:<birth date>`, `d:<birth date>:<area>`, `ph:<phone>` (deduplication blocks).
 */
@Entity({ tableName: "registrant_key" })
@Index({ properties: ["registrantId"] })
export class RegistrantKey {
  @PrimaryKey({ type: "string", length: 200 })
  key!: string;

  @PrimaryKey({ type: "uuid" })
  registrantId!: string;
}
