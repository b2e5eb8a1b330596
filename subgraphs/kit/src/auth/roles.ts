/**
 * Roles (from the token's `roles` claim) and the permissions they grant. Resolvers ask for
 * permissions, never for roles, so a deployment can re-map roles in one place.
 */
export const ROLES = [
  "admin",
  "registrar",
  "program_manager",
  "approver",
  "finance_officer",
  "auditor",
  "partner",
  "merchant",
  "service",
] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  "registrant:read",
  "registrant:write",
  /** Names, birth dates, phones, addresses, financial addresses, raw IDs. */
  "personal_data:read",
  "identity:read",
  "identity:write",
  "program:read",
  "program:write",
  "enrollment:write",
  "cycle:approve",
  "payment:read",
  "payment:write",
  "voucher:read",
  "voucher:write",
  "voucher:redeem",
  "audit:read",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READ_ALL: Permission[] = ["registrant:read", "identity:read", "program:read", "payment:read", "voucher:read"];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  registrar: ["registrant:read", "registrant:write", "personal_data:read", "identity:read", "identity:write", "program:read"],
  program_manager: ["registrant:read", "personal_data:read", "program:read", "program:write", "enrollment:write", "payment:read", "voucher:read"],
  approver: ["registrant:read", "program:read", "cycle:approve", "payment:read"],
  finance_officer: ["registrant:read", "program:read", "payment:read", "payment:write", "voucher:read", "voucher:write"],
  // Auditors read everything, including the audit log, but not personal data.
  auditor: [...READ_ALL, "audit:read"],
  // A relying party: what it may see beyond this is decided by its policy in each block.
  partner: ["registrant:read", "program:read", "payment:read"],
  merchant: ["voucher:read", "voucher:redeem"],
  // Block-to-block calls: bulk reads for eligibility, payments and vouchers, and the one write one block
  // asks of another: vouchers submitting merchant settlement batches to payments (payment:write).
  service: [...READ_ALL, "personal_data:read", "payment:write"],
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}
