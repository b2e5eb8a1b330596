/**
 * The vouchers block's own settings, read once from the environment (zod), lazily so tests can set
 * them before first use.
 */
import { ConfigError, readConfig } from "@g2p/kit";
import { z } from "zod";

export const vouchersEnv = {
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** Key of the HMAC that stores voucher secrets; a database dump alone cannot reveal or test them. */
  VOUCHER_SECRET_PEPPER: z.string().min(32).default("g2p-development-voucher-pepper-not-for-production"),
  /** Days a voucher stays valid after activation when the issuer gave no expiry. */
  VOUCHER_VALIDITY_DAYS: z.coerce.number().int().min(1).max(3650).default(60),
  /** Wrong secrets a merchant may present before it is locked out. */
  MERCHANT_MAX_FAILED_SECRETS: z.coerce.number().int().min(1).max(1000).default(5),
  MERCHANT_LOCK_MINUTES: z.coerce.number().int().min(1).max(10_080).default(15),
  /** Entitlements read from eligibility per page (and issued per chunk) in cycle issuance; eligibility serves at most 500. */
  VOUCHER_CYCLE_PAGE_SIZE: z.coerce.number().int().min(1).max(500).default(500),
  /** Worker threads that prepare bulk-issued chunks (numbers, hashes, QR signatures, envelope). */
  VOUCHER_ISSUE_WORKERS: z.coerce.number().int().min(1).max(8).default(1),
};

export type VouchersConfig = z.infer<z.ZodObject<typeof vouchersEnv>>;
let cached: VouchersConfig | null = null;

/** Forgets the settings read, so a test can change the environment. */
export function resetVouchersConfig(): void {
  cached = null;
}

export function vouchersConfig(): VouchersConfig {
  if (!cached) {
    const cfg = readConfig(vouchersEnv, process.env);
    if (cfg.NODE_ENV === "production" && cfg.VOUCHER_SECRET_PEPPER === vouchersEnv.VOUCHER_SECRET_PEPPER.parse(undefined)) {
      throw new ConfigError(["VOUCHER_SECRET_PEPPER: set a secret of your own in production"]);
    }
    cached = cfg;
  }
  return cached;
}
