/**
 * A synthetic population shaped like a household survey collected with ODK Collect: one submission per
 * household with a `members` repeat group. Deterministic (seeded PRNG): the same index always gives the
 * same household, so a second seed run re-imports the same submissions (idempotent on their ids).
 *
 * Four districts of one (fictional, Kenya-like) county, each with wards; household sizes, ages,
 * sexes, incomes (log-normal, in KES per month), disability (~4 % of people) and phone ownership drawn
 * to resemble a rural survey. Heads own a mobile-money wallet.
 */
import { rng } from "../../test/simulators/odk-central/households";

export interface Ward {
  code: string;
  name: string;
}
export interface District {
  code: string;
  name: string;
  wards: Ward[];
  /** Median monthly household income (KES). */
  medianIncome: number;
  /** Share of households in the population. */
  weight: number;
}

export const COUNTY = { code: "KE-047", name: "Nyandarua Demo County" };
export const DISTRICTS: District[] = [
  { code: "KE-047-01", name: "Kinangop", medianIncome: 9000, weight: 0.3, wards: ["Engineer", "Gathara", "North Kinangop", "Murungaru"].map((n, i) => ({ code: `KE-047-01-0${i + 1}`, name: n })) },
  { code: "KE-047-02", name: "Kipipiri", medianIncome: 7000, weight: 0.25, wards: ["Wanjohi", "Kipipiri", "Geta", "Githioro"].map((n, i) => ({ code: `KE-047-02-0${i + 1}`, name: n })) },
  { code: "KE-047-03", name: "Ol Kalou", medianIncome: 11000, weight: 0.25, wards: ["Karau", "Kanjuiri Ridge", "Mirangine", "Kaimbaga", "Rurii"].map((n, i) => ({ code: `KE-047-03-0${i + 1}`, name: n })) },
  { code: "KE-047-04", name: "Ndaragwa", medianIncome: 6000, weight: 0.2, wards: ["Leshau Pondo", "Kiriita", "Central", "Shamata"].map((n, i) => ({ code: `KE-047-04-0${i + 1}`, name: n })) },
];

const FEMALE = ["Wanjiru", "Njeri", "Wambui", "Nyambura", "Wairimu", "Muthoni", "Grace", "Mary", "Esther", "Faith", "Mercy", "Lucy", "Jane", "Ann", "Joyce", "Catherine", "Margaret", "Nancy", "Purity", "Beatrice", "Achieng", "Amina", "Halima", "Zawadi", "Rehema"];
const MALE = ["Kamau", "Mwangi", "Njoroge", "Kariuki", "Maina", "Ndungu", "Gitau", "Peter", "John", "Joseph", "David", "Samuel", "James", "Daniel", "Stephen", "Paul", "George", "Francis", "Michael", "Simon", "Otieno", "Hassan", "Juma", "Baraka", "Kevin"];
const FAMILY = ["Mwangi", "Kamau", "Njoroge", "Kariuki", "Wanjiku", "Maina", "Ndungu", "Gitau", "Macharia", "Kimani", "Githinji", "Waweru", "Mugo", "Karanja", "Njuguna", "Ngugi", "Muriuki", "Wachira", "Kinyua", "Mbugua", "Gachanja", "Nderitu", "Muchiri", "Irungu", "Otieno", "Ochieng", "Mohamed", "Kiprop"];

/** The deterministic PRNG (mulberry32) the ODK Central simulator's households use too. */
export const prng: (seed: number) => () => number = rng;

export interface Person {
  sourceId: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  sex: "MALE" | "FEMALE";
  role: "HEAD" | "SPOUSE" | "CHILD" | "OTHER";
  disability: boolean;
  nationalId: string | null;
  phone: string | null;
  wallet: string | null;
}

export interface Household {
  index: number;
  /** The ODK submission id (`uuid:...`): the registry's source id of the household. */
  instanceId: string;
  name: string;
  district: District;
  ward: Ward;
  income: number;
  assets: number;
  members: Person[];
  submission: Record<string, unknown>;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Household `i` of the demo population (0-based). `refYear` is the survey year. */
export function household(i: number, refYear = 2026): Household {
  const r = prng(0x5eed0000 + i);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  let acc = 0;
  const u = r();
  const district = DISTRICTS.find((d) => (acc += d.weight) >= u) ?? DISTRICTS[DISTRICTS.length - 1]!;
  const ward = pick(district.wards);
  const family = pick(FAMILY);
  // household size: 1..9, mode 4 (rural Kenya averages ~4.4)
  const size = Math.max(1, Math.min(9, Math.round(4.2 + normal() * 1.9)));
  const income = Math.max(0, Math.round(Math.exp(Math.log(district.medianIncome) + normal() * 0.75) / 50) * 50);
  const instanceId = `uuid:5eed${pad(i, 4).slice(-4)}-${pad(Math.floor(i / 10000), 4)}-4000-8000-${i.toString(16).padStart(12, "0")}`;
  const members: Person[] = [];
  const headFemale = r() < 0.32; // female-headed households
  const elderlyHead = r() < 0.12;
  for (let j = 0; j < size; j++) {
    const role: Person["role"] = j === 0 ? "HEAD" : j === 1 && size > 2 && r() < 0.8 ? "SPOUSE" : r() < 0.9 ? "CHILD" : "OTHER";
    const sex: Person["sex"] = role === "HEAD" ? (headFemale ? "FEMALE" : "MALE") : role === "SPOUSE" ? (headFemale ? "MALE" : "FEMALE") : r() < 0.5 ? "FEMALE" : "MALE";
    const age =
      role === "HEAD" ? (elderlyHead ? 60 + Math.floor(r() * 25) : 22 + Math.floor(r() * 38)) : role === "SPOUSE" ? 20 + Math.floor(r() * 40) : role === "CHILD" ? Math.floor(r() * 18) : 10 + Math.floor(r() * 70);
    const birthDate = `${refYear - 1 - age}-${pad(1 + Math.floor(r() * 12))}-${pad(1 + Math.floor(r() * 28))}`;
    const adult = age >= 18;
    const msisdn = `2547${pad(10_000_000 + ((i * 7919 + j * 104_729) % 89_999_999), 8)}`;
    members.push({
      sourceId: `${instanceId}/members/m${j}`,
      givenName: pick(sex === "FEMALE" ? FEMALE : MALE),
      familyName: family,
      birthDate,
      sex,
      role,
      disability: r() < (age >= 60 ? 0.12 : 0.035),
      nationalId: adult ? String(20_000_000 + i * 10 + j) : null,
      phone: adult && (role === "HEAD" || r() < 0.6) ? `+${msisdn}` : null,
      wallet: role === "HEAD" ? msisdn : null,
    });
  }
  const assets = Math.max(0, Math.round(2 + normal() * 2 + income / 8000));
  const submission = {
    __id: instanceId,
    __system: {
      submissionDate: new Date(Date.UTC(refYear, 0, 5) + i * 45_000).toISOString(),
      updatedAt: null,
      submitterId: String(10 + (i % 12)),
      submitterName: `Enumerator ${1 + (i % 12)}`,
      attachmentsPresent: 0,
      attachmentsExpected: 0,
      status: null,
      reviewState: "approved",
      deviceId: `collect:${(i % 12).toString(16).padStart(4, "0")}`,
      edits: 0,
      formVersion: "2026010501",
      deletedAt: null,
    },
    meta: { instanceID: instanceId },
    household: { name: `${family} household`, income, assets, visit_date: `${refYear}-01-${pad(5 + (i % 20))}` },
    location: { area: ward.code, area_path: `KE/${COUNTY.code}/${district.code}/${ward.code}`, address: `${ward.name} ward, plot ${100 + (i % 900)}` },
    members: members.map((m, j) => ({
      __id: `m${j}`,
      given_name: m.givenName,
      family_name: m.familyName,
      dob: m.birthDate,
      sex: m.sex === "FEMALE" ? "f" : "m",
      relationship: m.role.toLowerCase(),
      phone: m.phone,
      national_id: m.nationalId,
      disability: m.disability ? "yes" : "no",
      mobile_money: m.wallet ? `+${m.wallet}` : null,
    })),
  };
  return { index: i, instanceId, name: `${family} household`, district, ward, income, assets, members, submission };
}

/** The ODK form's mapping to the registry (docs/registry.md). */
export const HOUSEHOLD_FORM_MAPPING = {
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
