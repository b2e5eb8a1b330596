/**
 * MOSIP-like error codes. Each travels in `extensions.mosipCode` next to a code from the kit's one
 * registry (`extensions.code`), so production masking keeps it and clients can branch on either.
 * Messages never contain the individual's id.
 */
import type { GraphQLError } from "graphql";
import { userError, type ErrorCode } from "@g2p/kit";

export const MOSIP_ERRORS = {
  "IDA-MLC-001": ["BAD_USER_INPUT", "requestTime is outside the allowed window"],
  "IDA-MLC-002": ["BAD_USER_INPUT", "Invalid UIN"],
  "IDA-MLC-003": ["FORBIDDEN", "UIN has been deactivated"],
  "IDA-MLC-004": ["BAD_USER_INPUT", "Invalid VID"],
  "IDA-MLC-005": ["FORBIDDEN", "VID has expired"],
  "IDA-MLC-006": ["BAD_USER_INPUT", "Missing input parameter"],
  "IDA-MLC-008": ["BAD_USER_INPUT", "No authentication type selected"],
  "IDA-MLC-009": ["BAD_USER_INPUT", "Invalid input parameter"],
  "IDA-MLC-010": ["FORBIDDEN", "VID corresponds to a deactivated UIN"],
  "IDA-MLC-011": ["BAD_USER_INPUT", "Unsupported authentication type"],
  "IDA-MLC-012": ["FORBIDDEN", "Individual's consent is not obtained"],
  "IDA-MLC-014": ["BAD_USER_INPUT", "Phone number or email is not registered for this individual"],
  "IDA-MLC-019": ["FORBIDDEN", "Authentication type is locked for this individual"],
  "IDA-MLC-022": ["FORBIDDEN", "UIN is blocked or deactivated"],
  "IDA-MLC-023": ["FORBIDDEN", "VID is expired, revoked, used or deactivated"],
  "IDA-MLC-026": ["BAD_USER_INPUT", "UIN length is invalid"],
  "IDA-MLC-027": ["BAD_USER_INPUT", "UIN checksum is invalid"],
  "IDA-MLC-028": ["BAD_USER_INPUT", "VID length is invalid"],
  "IDA-MLC-029": ["BAD_USER_INPUT", "VID checksum is invalid"],
  "IDA-OTA-001": ["FORBIDDEN", "Too many OTP requests (flooding)"],
  "IDA-OTA-003": ["FORBIDDEN", "OTP has expired"],
  "IDA-OTA-004": ["FORBIDDEN", "OTP is invalid"],
  "IDA-OTA-005": ["BAD_USER_INPUT", "transactionId does not match the OTP request"],
  "IDA-OTA-006": ["FORBIDDEN", "Individual is locked for OTP generation"],
  "IDA-OTA-007": ["FORBIDDEN", "Individual is locked for OTP validation after too many failures"],
  "IDA-OTA-011": ["FORBIDDEN", "Partner does not match the OTP request"],
  "IDA-OTA-012": ["BAD_USER_INPUT", "OTP was not requested first"],
  "IDA-DEA-001": ["FORBIDDEN", "Demographic data does not match"],
  "IDA-DEA-003": ["BAD_USER_INPUT", "Demographic data is missing"],
  "IDA-BIA-001": ["FORBIDDEN", "Biometric data does not match"],
  "IDA-BIA-002": ["BAD_USER_INPUT", "Duplicate fingers in the request"],
  "IDA-BIA-003": ["BAD_USER_INPUT", "More than 10 fingers in the request"],
  "IDA-BIA-007": ["BAD_USER_INPUT", "Duplicate irises in the request"],
  "IDA-BIA-008": ["BAD_USER_INPUT", "More than 2 irises in the request"],
  "IDA-BIA-009": ["BAD_USER_INPUT", "More than 1 face in the request"],
  "IDA-MPA-005": ["FORBIDDEN", "OTP authentication is not allowed by the partner's policy"],
  "IDA-MPA-006": ["FORBIDDEN", "Authentication type is not allowed by the partner's policy"],
  "IDA-MPA-007": ["FORBIDDEN", "License key (MISP) is invalid"],
  "IDA-MPA-008": ["FORBIDDEN", "License key (MISP) has expired"],
  "IDA-MPA-009": ["FORBIDDEN", "Partner is not registered"],
  "IDA-MPA-010": ["FORBIDDEN", "Partner is not mapped to the license key or API key"],
  "IDA-MPA-012": ["FORBIDDEN", "Partner is deactivated"],
  "IDA-MPA-013": ["FORBIDDEN", "Partner is not allowed eKYC"],
  "IDA-MPA-014": ["FORBIDDEN", "Partner has no policy"],
  "IDA-MPA-015": ["FORBIDDEN", "A mandatory authentication type of the policy is missing"],
  "IDA-MPA-017": ["FORBIDDEN", "License key (MISP) is blocked"],
  "IDA-MPA-019": ["FORBIDDEN", "Partner's policy is not active"],
  "IDA-MPA-025": ["FORBIDDEN", "Partner is not allowed KYC-auth"],
  "IDA-MPA-026": ["FORBIDDEN", "Partner is not allowed KYC-exchange"],
  "IDA-KYE-001": ["BAD_USER_INPUT", "kycToken is unknown"],
  "IDA-KYE-002": ["CONFLICT", "kycToken has expired"],
  "IDA-KYE-003": ["CONFLICT", "kycToken was already used"],
  "IDA-KYE-004": ["FORBIDDEN", "kycToken was issued to another partner"],
  "IDA-KYE-005": ["BAD_USER_INPUT", "transactionId does not match the kycToken"],
  "IDA-KYE-007": ["FORBIDDEN", "kycToken is not for this individual"],
  "IDR-VID-001": ["CONFLICT", "VID is not in a state that allows this"],
  "IDR-VID-003": ["CONFLICT", "VID policy violated: too many active VIDs of this type"],
  "IDR-VID-004": ["CONFLICT", "UIN is deactivated or blocked"],
  "IDR-IDC-007": ["CONFLICT", "Enrollment is not awaiting adjudication"],
} as const satisfies Record<string, readonly [ErrorCode, string]>;

export type MosipCode = keyof typeof MOSIP_ERRORS;

/** A user-facing error carrying both the registry code and the MOSIP code. */
export function mosipError(mosipCode: MosipCode, detail?: string): GraphQLError {
  const [code, message] = MOSIP_ERRORS[mosipCode];
  return userError(code, detail ? `${message}: ${detail}` : message, { mosipCode });
}

/** The MOSIP code carried by an error, if any. */
export function mosipCodeOf(err: unknown): string | null {
  const ext = (err as { extensions?: Record<string, unknown> } | null)?.extensions;
  return typeof ext?.mosipCode === "string" ? ext.mosipCode : null;
}
