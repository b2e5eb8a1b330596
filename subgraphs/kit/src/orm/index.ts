/**
 * MikroORM 6 for one subgraph: a SQLite file by default (libsql driver: prebuilt, no compiler),
 * PostgreSQL when DATABASE_URL is set, with one schema per subgraph in that database. The schema is
 * always built by migrations (never schema sync), on SQLite as on PostgreSQL, so the path that runs
 * in production is the one the tests exercise.
 */
import fs from "node:fs";
import path from "node:path";
import type { EntityClass, MigrationObject, MikroORM, Options } from "@mikro-orm/core";
import { LibSqlDriver, MikroORM as LibSqlORM } from "@mikro-orm/libsql";
import { Migrator } from "@mikro-orm/migrations";
import { MikroORM as PostgreSqlORM, PostgreSqlDriver } from "@mikro-orm/postgresql";
import { kitEntities } from "../entities";
import { installAuditGuards } from "../audit/guards";

export type Dialect = "sqlite" | "postgresql";

export interface MigrationSets {
  sqlite: MigrationObject[];
  postgresql: MigrationObject[];
}

export interface OrmOptions {
  /** The subgraph's name: SQLite file name, PostgreSQL schema name. */
  name: string;
  entities: EntityClass<unknown>[];
  migrations: MigrationSets;
  databaseUrl?: string;
  dataDir?: string;
  /** Overrides the SQLite file (":memory:" in tests). */
  sqlitePath?: string;
  /** Called with every SQL statement run (tests count them to catch N+1). */
  onQuery?: (sql: string) => void;
  /** Told which migrations were just applied (for the start-up log). */
  onMigrated?: (names: string[]) => void;
  /** SQLite durability (see SQLITE_SYNCHRONOUS). */
  sqliteSynchronous?: "NORMAL" | "FULL";
  /** SQLite page cache per connection, MiB (see SQLITE_CACHE_MB; SQLite's default 2 MiB when unset). */
  sqliteCacheMb?: number;
  /** SQLite WAL pages between automatic checkpoints (see SQLITE_WAL_AUTOCHECKPOINT; SQLite's 1,000 when unset). */
  sqliteWalAutocheckpoint?: number;
  /** Run pending migrations now (default true). */
  migrate?: boolean;
}

export function dialectOf(databaseUrl: string | undefined): Dialect {
  return databaseUrl ? "postgresql" : "sqlite";
}

/** PostgreSQL identifiers we create from a subgraph name: keep them plain. */
export function schemaNameFor(name: string): string {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`subgraph name "${name}" is not usable as a schema name`);
  return name;
}

export function ormConfig(opts: OrmOptions): Options {
  const dialect = dialectOf(opts.databaseUrl);
  const logging: Partial<Options> = opts.onQuery
    ? {
        debug: ["query"],
        colors: false,
        logger: (message: string) => {
          // MikroORM logs each statement as "[query] <sql> [took N ms, ...]".
          if (message.startsWith("[query]")) opts.onQuery!(message.slice(8));
        },
      }
    : { debug: false };
  const common: Options = {
    entities: [...opts.entities, ...kitEntities],
    extensions: [Migrator],
    migrations: {
      migrationsList: opts.migrations[dialect],
      tableName: "mikro_orm_migrations",
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    ...logging,
  };
  if (dialect === "postgresql") {
    return { ...common, driver: PostgreSqlDriver, clientUrl: opts.databaseUrl, schema: schemaNameFor(opts.name) } as Options;
  }
  let dbName = opts.sqlitePath;
  if (!dbName) {
    const dir = path.resolve(opts.dataDir ?? "./data");
    fs.mkdirSync(dir, { recursive: true });
    dbName = path.join(dir, `${opts.name}.sqlite`);
  }
  return { ...common, driver: LibSqlDriver, dbName, pool: { afterCreate: sqliteSettings(dbName, opts) } } as Options;
}

/**
 * Per-connection SQLite settings, applied to every connection the pool opens. MikroORM's libsql
 * dialect replaces a file connection once it is older than 10 s (`validateConnection`), so settings
 * applied once after start were gone ten seconds later: busy_timeout back to 0 (SQLITE_BUSY instead
 * of waiting for a lock), synchronous back to FULL, foreign keys off. (Keeping the connection instead
 * was tried: the page cache and prepared statements then survive, but a 20,000-submission import
 * was no faster, measured side by side; see docs/registry.md.)
 */
function sqliteSettings(dbName: string, opts: Pick<OrmOptions, "sqliteSynchronous" | "sqliteCacheMb" | "sqliteWalAutocheckpoint">) {
  const { sqliteSynchronous: synchronous, sqliteCacheMb: cacheMb, sqliteWalAutocheckpoint: walPages } = opts;
  const file = dbName !== ":memory:";
  const pragmas = [
    // WAL lets readers proceed while a writer commits (a property of the file; set again, harmlessly).
    ...(file ? ["pragma journal_mode = wal"] : []),
    ...(file && walPages ? [`pragma wal_autocheckpoint = ${Math.round(walPages)}`] : []),
    // Wait for a lock instead of failing at once.
    "pragma busy_timeout = 5000",
    `pragma synchronous = ${synchronous === "FULL" ? "full" : "normal"}`,
    "pragma foreign_keys = on",
    // A negative cache_size is in KiB.
    ...(cacheMb ? [`pragma cache_size = -${Math.round(cacheMb * 1024)}`] : []),
  ];
  return (conn: { exec(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void): void => {
    try {
      for (const pragma of pragmas) conn.exec(pragma);
      done(null, conn);
    } catch (err) {
      done(err as Error, conn);
    }
  };
}

export async function createOrm(opts: OrmOptions): Promise<MikroORM> {
  const config = ormConfig(opts);
  const dialect = dialectOf(opts.databaseUrl);
  const orm = (dialect === "postgresql" ? await PostgreSqlORM.init(config as never) : await LibSqlORM.init(config as never)) as MikroORM;
  // SQLite's per-connection settings are applied by the pool (sqliteSettings).
  if (dialect === "postgresql") await orm.em.getConnection().execute(`create schema if not exists "${schemaNameFor(opts.name)}"`);
  if (opts.migrate ?? true) {
    const applied = await orm.getMigrator().up();
    opts.onMigrated?.(applied.map((m) => m.name));
    await installAuditGuards(orm, dialect, opts.name);
  }
  return orm;
}

export { sqlRows, sqlRun, type SqlRow, type SqlValue } from "./raw-sql";
