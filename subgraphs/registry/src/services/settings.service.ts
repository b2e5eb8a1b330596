import type { EntityManager } from "@mikro-orm/core";
import type { CountryCode } from "libphonenumber-js";
import { IdType } from "../entities/identifier.entity";
import { RegistrySetting } from "../entities/import.entity";
import { compileExtraSchema, type ValidationContext } from "./validation";

export interface DedupConfig {
  /** Relative weights of the evidence; fields missing on either side are left out of the average. */
  weights: { name: number; birthDate: number; phone: number; area: number; identifier: number };
  /** Pairs scoring at or above this are stored as candidates. */
  threshold: number;
  /** Run fuzzy deduplication inside imports. */
  onImport: boolean;
}

export const DEFAULT_DEDUP: DedupConfig = {
  weights: { name: 0.5, birthDate: 0.3, phone: 0.1, area: 0.1, identifier: 0 },
  threshold: 0.86,
  onImport: true,
};

export const SETTING = { extraSchema: "extraAttributesSchema", dedup: "dedupConfig", country: "defaultPhoneCountry" } as const;

export async function getSetting<T>(em: EntityManager, name: string): Promise<T | null> {
  const row = await em.findOne(RegistrySetting, { name });
  return (row?.value as T) ?? null;
}

export async function putSetting(em: EntityManager, name: string, value: unknown): Promise<void> {
  const existing = await em.findOne(RegistrySetting, { name });
  if (existing) existing.value = value;
  else em.persist(em.create(RegistrySetting, { name, value }));
  await em.flush();
}

/** Everything validation needs, read in two queries (settings, id types). */
export async function loadValidationContext(em: EntityManager): Promise<ValidationContext & { dedup: DedupConfig }> {
  const [settings, idTypes] = await Promise.all([em.find(RegistrySetting, {}), em.find(IdType, {})]);
  const byName = new Map(settings.map((s) => [s.name, s.value]));
  const dedup = { ...DEFAULT_DEDUP, ...((byName.get(SETTING.dedup) as Partial<DedupConfig>) ?? {}) };
  dedup.weights = { ...DEFAULT_DEDUP.weights, ...(dedup.weights ?? {}) };
  return {
    idTypes: new Map(idTypes.map((t) => [t.name, t])),
    extraValidator: compileExtraSchema(byName.get(SETTING.extraSchema) ?? null),
    defaultCountry: ((byName.get(SETTING.country) as string) ?? "KE") as CountryCode,
    today: new Date().toISOString().slice(0, 10),
    dedup,
  };
}
