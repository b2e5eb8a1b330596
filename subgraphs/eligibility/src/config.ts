/**
 * Eligibility's own settings, read from the environment with zod (kit's `readConfig`), lazily: the
 * rule engine and the jobs read them the first time they need them, so a test or bench can set the
 * environment (e.g. GRAPH_URL, known only once the gateway is up) after the subgraph has started.
 */
import { readConfig, authEnv, ConfigError } from "@g2p/kit";
import { z } from "zod";

const EXTRA_TYPES = ["int", "double", "string", "bool"] as const;
export type ExtraType = (typeof EXTRA_TYPES)[number];

const optionalString = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());

export const eligibilityEnv = {
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  ...authEnv,
  /** Where the graph is (the gateway's /graphql): registrant data is read only through it. */
  GRAPH_URL: z.preprocess((v) => (v === "" ? undefined : v), z.url().optional()),
  /**
   * Bearer token with the `service` role for block-to-block reads. Required in production (issued by
   * the identity provider); in development and tests one is signed with JWT_SECRET when unset.
   */
  SERVICE_TOKEN: optionalString,
  /**
   * The deployment's extra registrant attributes that rules may read as `extra.NAME`, with their
   * CEL types: "income:double,assets:int,village:string,hasLand:bool".
   */
  ELIGIBILITY_EXTRA_ATTRIBUTES: z
    .string()
    .default("")
    .transform((raw, ctx) => {
      const out: Record<string, ExtraType> = {};
      for (const part of raw.split(",").map((p) => p.trim()).filter(Boolean)) {
        const [name, type] = part.split(":").map((s) => s.trim());
        if (!name || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || !(EXTRA_TYPES as readonly string[]).includes(type ?? "")) {
          ctx.addIssue({ code: "custom", message: `"${part}" must be NAME:TYPE with TYPE one of ${EXTRA_TYPES.join(", ")}` });
          continue;
        }
        out[name] = type as ExtraType;
      }
      return out;
    }),
  /** Registrants per registry page (the registry allows 1 to 5000). */
  REGISTRY_PAGE_SIZE: z.coerce.number().int().min(1).max(5000).default(2000),
  /** Chunks an evaluation or generation job is split into (progress granularity, retry unit). */
  ELIGIBILITY_JOB_CHUNKS: z.coerce.number().int().min(1).max(4096).default(16),
};

export type EligibilityConfig = z.infer<z.ZodObject<typeof eligibilityEnv>>;

let cached: EligibilityConfig | null = null;

export function eligibilityConfig(): EligibilityConfig {
  if (!cached) {
    cached = readConfig(eligibilityEnv, process.env);
    if (cached.NODE_ENV === "production" && !cached.SERVICE_TOKEN) {
      throw new ConfigError(["SERVICE_TOKEN: required when NODE_ENV=production (a token with the service role)"]);
    }
  }
  return cached;
}

/** Forget the cached settings (tests that change the environment). */
export function resetEligibilityConfig(): void {
  cached = null;
}
