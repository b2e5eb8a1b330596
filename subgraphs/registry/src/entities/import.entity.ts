import { randomUUID } from "node:crypto";
import { Entity, Enum, Index, OptionalProps, PrimaryKey, Property } from "@mikro-orm/core";
import { Field, ID, Int, ObjectType } from "type-graphql";
import { RegistrationSource } from "./registrant.entity";

/** One enrollment intake run (ODK pull, CSV or JSON upload), executed as a kit job. */
@Entity({ tableName: "registry_import" })
@ObjectType({ description: "An enrollment import: its progress, counts and bad rows." })
export class RegistryImport {
  [OptionalProps]?: "id" | "createdAt" | "rowsStaged" | "created" | "updated" | "unchanged" | "failedRows";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Field(() => RegistrationSource)
  @Enum({ items: () => RegistrationSource })
  source!: RegistrationSource;

  @Property({ type: "uuid", nullable: true })
  jobId?: string | null;

  /** ODK: { baseUrl, projectId, formId, auth, mapping, since }; CSV/JSON: {}. Secrets are not stored. */
  @Property({ type: "json" })
  config!: Record<string, unknown>;

  @Field(() => Int, { description: "Rows (submissions) staged for processing." })
  @Property({ type: "integer", default: 0 })
  rowsStaged: number = 0;

  @Field(() => Int) @Property({ type: "integer", default: 0 }) created: number = 0;
  @Field(() => Int) @Property({ type: "integer", default: 0 }) updated: number = 0;
  @Field(() => Int) @Property({ type: "integer", default: 0 }) unchanged: number = 0;
  @Field(() => Int, { description: "Rows refused (see issues)." }) @Property({ type: "integer", default: 0 }) failedRows: number = 0;

  @Field(() => String, { nullable: true, description: "ODK: the latest submissionDate seen (the next delta starts after it)." })
  @Property({ type: "string", length: 40, nullable: true })
  highWatermark?: string | null;

  @Field()
  @Property({ type: "datetime" })
  createdAt: Date = new Date();

  @Property({ type: "string", length: 255 })
  createdBy!: string;
}

/** A staged input row (raw), processed by the import's chunks. */
@Entity({ tableName: "import_row" })
export class ImportRow {
  @PrimaryKey({ type: "uuid" })
  importId!: string;

  @PrimaryKey({ type: "integer" })
  rowNo!: number;

  @Property({ type: "json" })
  data!: Record<string, unknown>;
}

/** A refused row: which, which field, why. The other rows of the import still land. */
@Entity({ tableName: "import_issue" })
@Index({ properties: ["importId", "rowNo"] })
@ObjectType({ description: "A row an import refused: row number, source id, field and coded reason." })
export class ImportIssue {
  [OptionalProps]?: "id";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = randomUUID();

  @Property({ type: "uuid" })
  importId!: string;

  @Field(() => Int, { description: "1-based data row (CSV: excluding the header) or submission index." })
  @Property({ type: "integer" })
  rowNo!: number;

  @Field(() => String, { nullable: true })
  @Property({ type: "string", length: 255, nullable: true })
  sourceId?: string | null;

  @Field()
  @Property({ type: "string", length: 200 })
  field!: string;

  @Field({ description: "REQUIRED, INVALID_FORMAT, OUT_OF_RANGE, INVALID_PHONE, FUTURE_BIRTH_DATE, SECOND_HEAD, ..." })
  @Property({ type: "string", length: 60 })
  reason!: string;

  @Field()
  @Property({ type: "text" })
  message!: string;
}

/** Deployment settings: the JSON schema of extra attributes and the deduplication weights. */
@Entity({ tableName: "registry_setting" })
export class RegistrySetting {
  @PrimaryKey({ type: "string", length: 60 })
  name!: string;

  @Property({ type: "json" })
  value!: unknown;
}
