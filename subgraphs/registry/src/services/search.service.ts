/**
 * Registrant search: filters (fuzzy name through the key table, area subtree as an index range, age
 * range as a birth-date range, kind, identifier, extra attributes), sort by creation or name, keyset
 * cursors, totalCount; and dashboard aggregates. One SQL statement for the page, one for the count.
 */
import type { EntityManager as CoreEntityManager, FilterQuery } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/knex";
import { badInput } from "@g2p/kit";
import { Registrant, RegistrantStatus, type GroupKind, type RegistrantKind, type Sex } from "../entities/registrant.entity";
import { nameTokens, phonetic } from "./normalize";

export type ExtraOp = "EQ" | "NE" | "LT" | "LTE" | "GT" | "GTE";
export interface ExtraFilter {
  path: string;
  op: ExtraOp;
  value: unknown;
}

export interface SearchFilter {
  name?: string | null;
  /** true (default): phonetic match per token; false: exact normalised tokens. */
  fuzzy?: boolean | null;
  adminArea?: string | null;
  ageMin?: number | null;
  ageMax?: number | null;
  kind?: RegistrantKind | null;
  groupKind?: GroupKind | null;
  sex?: Sex | null;
  status?: RegistrantStatus[] | null;
  identifierType?: string | null;
  identifierValue?: string | null;
  extra?: ExtraFilter[] | null;
}

export type SortField = "CREATED_AT" | "NAME";
export interface SearchArgs {
  filter?: SearchFilter | null;
  sort?: SortField | null;
  descending?: boolean | null;
  first?: number | null;
  after?: string | null;
}

export const MAX_SEARCH_PAGE = 1000;

function isoYearsAgo(years: number, today = new Date()): string {
  const d = new Date(Date.UTC(today.getUTCFullYear() - years, today.getUTCMonth(), today.getUTCDate()));
  return d.toISOString().slice(0, 10);
}

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The birth dates an age filter selects (after < birth date <= upTo), or null. */
function ageRange(f: SearchFilter | null | undefined): { after: string; upTo: string } | null {
  if (!f || (f.ageMin == null && f.ageMax == null)) return null;
  if ((f.ageMin != null && (f.ageMin < 0 || f.ageMin > 150)) || (f.ageMax != null && (f.ageMax < 0 || f.ageMax > 150))) return null; // buildWhere reports it
  return { after: f.ageMax != null ? isoYearsAgo(f.ageMax + 1) : "0000-00-00", upTo: f.ageMin != null ? isoYearsAgo(f.ageMin) : "9999-12-31" };
}

/** SQL fragments for the where clause (shared by search, count and aggregates). */
/** Above `broadArea` registrants in an area, the page is found by walking the sort order instead. */
export const searchTuning = { broadArea: 2000 };

export function buildWhere(em: CoreEntityManager, filter: SearchFilter | null | undefined, opts: { broadArea?: boolean; broadAge?: boolean; nameWalk?: boolean } = {}): { where: FilterQuery<Registrant>; raw: { sql: string; params: unknown[] }[] } {
  const f = filter ?? {};
  const where: Record<string, unknown> = {};
  const raw: { sql: string; params: unknown[] }[] = [];
  const pg = em.getPlatform().constructor.name.toLowerCase().includes("postgre");
  const schema = em.config.get("schema");
  const table = (name: string) => (pg && schema ? `"${schema}"."${name}"` : name);
  where.status = { $in: f.status?.length ? f.status : [RegistrantStatus.ACTIVE] };
  if (f.kind) where.kind = f.kind;
  if (f.groupKind) where.groupKind = f.groupKind;
  if (f.sex) where.sex = f.sex;
  let areaKey: string | null = null;
  if (f.adminArea) {
    const area = f.adminArea.trim();
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(area)) throw badInput("adminArea is not an area code", "filter.adminArea");
    areaKey = `a:${area}`;
  }
  if (areaKey && !f.name) {
    // The area and everything under it: every registrant has an `a:<code>` key per ancestor area.
    // A broad area (a county) is best found by walking the sort index and probing the key (EXISTS);
    // a narrow one (a ward) by its key rows (IN), then sorting the few found.
    // PostgreSQL turns an EXISTS into a semi-join and, underestimating the area's key rows (85
    // estimated, 4,256 real for a county at 200,000), joins and sorts every one of them (13-31 ms);
    // a scalar subquery stays a per-row probe along the sort index (3.7 ms). (key, registrant_id)
    // is the primary key: at most one row.
    const probe = pg
      ? `(select 1 from ${table("registrant_key")} k where k.key = ? and k.registrant_id = r.id) is not null`
      : `exists (select 1 from ${table("registrant_key")} k where k.key = ? and k.registrant_id = r.id)`;
    raw.push({
      sql: opts.broadArea ? probe : `r.id in (select registrant_id from ${table("registrant_key")} where key = ?)`,
      params: [areaKey],
    });
  }
  const range: Record<string, string> = {};
  if (f.ageMin != null) {
    if (f.ageMin < 0 || f.ageMin > 150) throw badInput("ageMin must be 0..150", "filter.ageMin");
    range.$lte = isoYearsAgo(f.ageMin);
  }
  if (f.ageMax != null) {
    if (f.ageMax < 0 || f.ageMax > 150) throw badInput("ageMax must be 0..150", "filter.ageMax");
    range.$gt = isoYearsAgo(f.ageMax + 1);
  }
  if (Object.keys(range).length) {
    if (opts.broadAge && !pg) {
      // A broad age band (thousands of registrants): SQLite would read the whole band through the
      // birth-date index and sort it for a page of 50; `+` keeps it off that index so the page walks
      // the sort index and stops after 50 hits (measured 105 ms -> 0.7 ms at 200,000 registrants).
      // PostgreSQL chooses from its column statistics.
      if (range.$lte) raw.push({ sql: "+r.birth_date <= ?", params: [range.$lte] });
      if (range.$gt) raw.push({ sql: "+r.birth_date > ?", params: [range.$gt] });
    } else where.birthDate = range;
  }
  if (f.name) {
    const tokens = [...new Set(nameTokens(f.name))].slice(0, 6);
    if (!tokens.length) throw badInput("name has no letters", "filter.name");
    const keys = [...new Set(tokens.map((t) => `p:${phonetic(t)}`))];
    // With an area, its key is one more key to hold: probed on the key index for the name's rows
    // only, before any registrant row is read (a county + a common name at 1,000,000: ~33,000 name
    // rows, ~700 in the county).
    if (areaKey) keys.push(areaKey);
    // Registrants holding every key: the first key's rows, each probed for the others on the primary
    // key (key, registrant_id); a GROUP BY over all the keys' rows read and sorted every row of every
    // token (tens of thousands for a common name at 1,000,000 registrants).
    const others = keys.slice(1).map((_, i) => `exists (select 1 from ${table("registrant_key")} k${i + 1} where k${i + 1}.key = ? and k${i + 1}.registrant_id = k0.registrant_id)`);
    const holders = `select k0.registrant_id from ${table("registrant_key")} k0 where k0.key = ?${others.map((o) => ` and ${o}`).join("")}`;
    // PostgreSQL, page query (`nameWalk`): the holders are computed once into a hash (a merge join
    // of the keys' index-only scans) and the sort index is walked until the page is full. As a plain
    // IN it became a semi-join probing every key for each row walked, from an estimate that assumes
    // the tokens independent: two common tokens at 1,000,000 walked 124,000 rows, 260 ms
    // (p95 329 ms over 40 names; 48.5 ms this way, and 22.6 ms for one token). `offset 0` and
    // `is true` keep the IN a hashed subplan. The count keeps the semi-join (it visits every match).
    raw.push(pg && opts.nameWalk ? { sql: `(r.id in (${holders} offset 0)) is true`, params: keys } : { sql: `r.id in (${holders})`, params: keys });
    // Exact tokens: the phonetic keys find the candidates, the normalised name (tokens joined by
    // single spaces in name_sort) keeps those holding every token itself.
    if (f.fuzzy === false) for (const t of tokens) raw.push({ sql: "(' ' || r.name_sort || ' ') like ?", params: [`% ${t} %`] });
  }
  if (f.identifierType || f.identifierValue) {
    if (!f.identifierType || !f.identifierValue) throw badInput("identifierType and identifierValue go together", "filter.identifierValue");
    raw.push({ sql: `r.id in (select registrant_id from ${table("identifier")} where type = ? and value = ?)`, params: [f.identifierType.toUpperCase(), f.identifierValue.trim()] });
  }
  for (const [i, x] of (f.extra ?? []).entries()) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,3}$/.test(x.path)) throw badInput("extra path must be dotted identifiers", `filter.extra[${i}].path`);
    const op = { EQ: "=", NE: "<>", LT: "<", LTE: "<=", GT: ">", GTE: ">=" }[x.op];
    const numeric = typeof x.value === "number";
    const bool = typeof x.value === "boolean";
    if (!numeric && !bool && typeof x.value !== "string") throw badInput("extra value must be a number, string or boolean", `filter.extra[${i}].value`);
    if (pg) {
      const path = `{${x.path.split(".").join(",")}}`;
      const expr = numeric ? `(r.extra #>> '${path}')::numeric` : bool ? `(r.extra #>> '${path}')::boolean` : `(r.extra #>> '${path}')`;
      raw.push({ sql: `${expr} ${op} ?`, params: [x.value] });
    } else {
      raw.push({ sql: `json_extract(r.extra, '$.${x.path}') ${op} ?`, params: [bool ? (x.value ? 1 : 0) : x.value] });
    }
  }
  return { where: where as FilterQuery<Registrant>, raw };
}

function encode(v: unknown[]): string {
  return Buffer.from(JSON.stringify(v)).toString("base64url");
}
function decode(c: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(c, "base64url").toString("utf8"));
    if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== "string" || typeof v[1] !== "string") throw new Error();
    return v as [string, string];
  } catch {
    throw badInput("after is not a cursor from this query", "after");
  }
}

export async function searchRegistrants(coreEm: CoreEntityManager, args: SearchArgs) {
  const em = coreEm as SqlEntityManager;
  const first = args.first ?? 50;
  if (first < 1 || first > MAX_SEARCH_PAGE) throw badInput(`first must be between 1 and ${MAX_SEARCH_PAGE}`, "first");
  let broadArea = false;
  const registrantTable = em.getPlatform().constructor.name.toLowerCase().includes("postgre") && em.config.get("schema") ? `"${em.config.get("schema")}"."registrant"` : "registrant";
  if (args.filter?.adminArea && !args.filter.name) {
    // How many registrants the area holds, counted up to the threshold on the key index only.
    const schema = em.config.get("schema");
    const keyTable = em.getPlatform().constructor.name.toLowerCase().includes("postgre") && schema ? `"${schema}"."registrant_key"` : "registrant_key";
    const [row] = (await em.getConnection().execute(`select count(*) as c from (select 1 from ${keyTable} where key = ? limit ${searchTuning.broadArea + 1}) x`, [`a:${args.filter.adminArea.trim()}`])) as { c: number | string }[];
    broadArea = Number(row?.c ?? 0) > searchTuning.broadArea;
  }
  let broadAge = false;
  const ages = ageRange(args.filter);
  if (ages) {
    // The same capped count for an age band, on the birth-date index only.
    const [row] = (await em.getConnection().execute(
      `select count(*) as c from (select 1 from ${registrantTable} where birth_date > ? and birth_date <= ? limit ${searchTuning.broadArea + 1}) x`,
      [ages.after, ages.upTo],
    )) as { c: number | string }[];
    broadAge = Number(row?.c ?? 0) > searchTuning.broadArea;
  }
  const nameWalk = !!args.filter?.name;
  const { where, raw } = buildWhere(em, args.filter, { broadArea, broadAge, nameWalk });
  const col = args.sort === "NAME" ? "nameSort" : "createdAt";
  const dir = args.descending ? "desc" : "asc";
  const qb = em.createQueryBuilder(Registrant, "r").select("*").where(where as never);
  // The count reads the area's key rows (IN) and the birth-date index whatever shape the page uses:
  // it visits every match anyway.
  const counting = broadArea || broadAge || nameWalk ? buildWhere(em, args.filter) : { where, raw };
  const cq = em.createQueryBuilder(Registrant, "r").count("r.id").where(counting.where as never);
  for (const r of raw) qb.andWhere(r.sql, r.params);
  for (const r of counting.raw) cq.andWhere(r.sql, r.params);
  if (args.after) {
    const [value, id] = decode(args.after);
    const cmp = dir === "asc" ? "$gt" : "$lt";
    const v = col === "createdAt" ? new Date(value) : value;
    qb.andWhere({ $or: [{ [col]: { [cmp]: v } }, { [col]: v, id: { [cmp]: id } }] });
  }
  qb.orderBy({ [col]: dir, id: dir }).limit(first + 1);
  const rows = await qb.getResultList();
  const nodes = rows.slice(0, first);
  const cursorOf = (r: Registrant) => encode([col === "createdAt" ? r.createdAt.toISOString() : r.nameSort, r.id]);
  const edges = nodes.map((node: Registrant) => ({ node, cursor: cursorOf(node) }));
  // Counted only when the client selects totalCount (a lazy getter the field resolver reads):
  // a page without it costs one statement.
  let counted: Promise<number> | null = null;
  const page = { nodes, edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
  return Object.defineProperty(page, "totalCount", {
    enumerable: true,
    get: () =>
      (counted ??= cq.execute("get").then((total) => Number((total as { count?: number | string })?.count ?? Object.values(total ?? {})[0] ?? 0))),
  }) as typeof page & { totalCount: Promise<number> };
}

export interface Bucket {
  key: string;
  count: number;
}

/** Counts for dashboards, under the same filter as search: by area, sex, age band, kind. */
export async function registrantStats(coreEm: CoreEntityManager, filter: SearchFilter | null | undefined) {
  const em = coreEm as SqlEntityManager;
  const { where, raw } = buildWhere(em, filter);
  const group = async (expr: string, params: unknown[] = []): Promise<Bucket[]> => {
    const qb = em.createQueryBuilder(Registrant, "r").select([em.getKnex().raw(`${expr} as k`, params as never) as never, em.getKnex().raw("count(*) as c") as never]).where(where as never);
    for (const r of raw) qb.andWhere(r.sql, r.params);
    qb.groupBy(em.getKnex().raw(expr, params as never) as never);
    const rows = (await qb.execute("all", false)) as { k: unknown; c: unknown }[];
    return rows.map((x) => ({ key: x.k == null ? "UNKNOWN" : String(x.k), count: Number(x.c) })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  };
  const today = new Date();
  const b5 = isoYearsAgo(5, today);
  const b18 = isoYearsAgo(18, today);
  const b60 = isoYearsAgo(60, today);
  const band = `case when r.birth_date is null then 'UNKNOWN' when r.birth_date > ? then '0-4' when r.birth_date > ? then '5-17' when r.birth_date > ? then '18-59' else '60+' end`;
  const [byArea, bySex, byAgeBand, byKind] = await Promise.all([
    group("r.admin_area_code"),
    group("r.sex"),
    group(band, [b5, b18, b60]),
    group("r.kind"),
  ]);
  return { total: byKind.reduce((s, b) => s + b.count, 0), byArea, bySex, byAgeBand, byKind };
}

export { addDays };
