/**
 * A household-survey form as ODK Central would hold it: one submission per household with a
 * `members` repeat group, plus the registry mapping for it. Deterministic (seeded) for tests and benches.
 */
import type { Submission } from "./server";

export const HOUSEHOLD_MAPPING = {
  group: {
    fields: { groupName: "household/name", adminAreaPath: "location/area_path", adminAreaCode: "location/area", addressLine: "location/address", registrationDate: "household/visit_date" },
    extra: { income: "household/income", assets: "household/assets" },
  },
  members: {
    repeat: "members",
    fields: { givenName: "given_name", familyName: "family_name", birthDate: "dob", sex: "sex", phones: "phone", disability: "disability", role: "relationship" },
    identifiers: { NATIONAL_ID: "national_id" },
    values: { sex: { m: "MALE", f: "FEMALE" }, relationship: { head: "HEAD", spouse: "SPOUSE", child: "CHILD", other: "OTHER" }, disability: { yes: true, no: false } },
    mobileMoney: "mobile_money",
  },
};

export const GIVEN = ["Amina", "Baraka", "Chebet", "Daudi", "Esther", "Faith", "Grace", "Hassan", "Imani", "Juma", "Kamau", "Lydia", "Mwangi", "Njeri", "Otieno", "Pendo", "Rehema", "Salim", "Tumaini", "Wanjiru", "Zawadi", "Achieng", "Brian", "Caroline", "Dennis", "Evans", "Fatuma", "George", "Halima", "Isaac", "Joseph", "Kevin", "Lucy", "Mercy", "Nancy", "Omar", "Peter", "Rose", "Samuel", "Teresa"];
export const FAMILY = ["Odhiambo", "Wanjiku", "Kariuki", "Mutua", "Kiprop", "Achieng", "Mohamed", "Njoroge", "Onyango", "Wekesa", "Chelimo", "Kibet", "Maina", "Nyambura", "Ouma", "Rotich", "Shikuku", "Too", "Wafula", "Yego", "Barasa", "Cheruiyot", "Gitau", "Jeptoo", "Kamau", "Langat", "Macharia", "Ndungu", "Owino", "Simiyu"];

/** A tiny deterministic PRNG (mulberry32). */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface HouseholdOptions {
  /** Members per household (default 1..5). */
  members?: number;
  submissionDate?: string;
  /** National ids unique across the set: derived from the index. */
  withIds?: boolean;
}

export function householdSubmission(i: number, o: HouseholdOptions = {}): Submission {
  const r = rng(i + 1);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const family = pick(FAMILY);
  const n = o.members ?? 1 + Math.floor(r() * 5);
  const area = `KE-0${40 + Math.floor(r() * 9)}-0${1 + Math.floor(r() * 5)}`;
  const id = `uuid:${(i + 1).toString(16).padStart(8, "0")}-0000-4000-8000-${(i * 7919).toString(16).padStart(12, "0").slice(-12)}`;
  const date = o.submissionDate ?? new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  const members = Array.from({ length: n }, (_, j) => {
    const year = j === 0 ? 1960 + Math.floor(r() * 40) : 1970 + Math.floor(r() * 50);
    return {
      __id: `${id.slice(5, 13)}${j.toString(16).padStart(4, "0")}${"0".repeat(28)}`.slice(0, 40),
      given_name: pick(GIVEN),
      family_name: family,
      dob: `${year}-${String(1 + Math.floor(r() * 12)).padStart(2, "0")}-${String(1 + Math.floor(r() * 28)).padStart(2, "0")}`,
      sex: r() < 0.5 ? "f" : "m",
      relationship: j === 0 ? "head" : j === 1 ? "spouse" : "child",
      phone: j === 0 ? `+2547${String(10000000 + ((i * 7 + 13) % 89999999)).padStart(8, "0")}` : null,
      national_id: o.withIds === false ? null : `${String(10000000 + i * 8 + j)}`,
      disability: r() < 0.05 ? "yes" : "no",
      mobile_money: j === 0 ? `+2547${String(10000000 + ((i * 7 + 13) % 89999999)).padStart(8, "0")}` : null,
    };
  });
  return {
    __id: id,
    __system: {
      submissionDate: date,
      updatedAt: null,
      submitterId: "5",
      submitterName: "Collector",
      attachmentsPresent: 0,
      attachmentsExpected: 0,
      status: null,
      reviewState: null,
      deviceId: `collect:${(i % 17).toString(16)}`,
      edits: 0,
      formVersion: "2026010101",
      deletedAt: null,
    },
    meta: { instanceID: id },
    household: { name: `${family} household`, income: Math.floor(r() * 50000), assets: Math.floor(r() * 10), visit_date: "2026-01-15" },
    location: { area, area_path: `KE/${area.slice(0, 6)}/${area}`, address: `Plot ${i}` },
    members,
  };
}
