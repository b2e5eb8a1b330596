/**
 * A generated, deterministic population in the registry's bulk-contract shape, served page by page
 * like `registrantsForProcessing` (ordered by id; `after` is any id). Registrant i is computed from i
 * alone, so a million registrants cost no memory.
 */
import type { ProcessingRegistrant } from "../services/facts";
import type { RegistrantPage, RegistrySource } from "../services/registry-source";

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (v: number, width: number) => Math.floor(v).toString(16).padStart(width, "0");

export class Population implements RegistrySource {
  /** Pages served and registrants sent (to check streaming). */
  pages = 0;
  sent = 0;
  /** Ids whose `extra.income` is sent as a string (registry data of the wrong type). */
  readonly badIncome = new Set<number>();

  constructor(
    readonly size: number,
    readonly seed = 42,
  ) {}

  id(i: number): string {
    const top = hex((i * 0x100000000) / this.size, 8);
    return `${top}-0000-4000-8000-${hex(i, 12)}`;
  }

  registrant(i: number): ProcessingRegistrant {
    const r = rng(this.seed * 1_000_003 + i);
    const members = 1 + Math.floor(r() * 8);
    const list = Array.from({ length: members }, (_, m) => {
      const age = m === 0 ? 20 + Math.floor(r() * 60) : Math.floor(r() * 80);
      return {
        id: `${this.id(i)}-m${m}`,
        role: m === 0 ? "HEAD" : m === 1 ? "SPOUSE" : "CHILD",
        birthDate: `${2026 - age - 1}-06-15`,
        sex: r() < 0.5 ? "F" : "M",
        disability: r() < 0.08,
      };
    });
    const income = Math.round(r() * 1_000_000) / 100; // 0.00 .. 10000.00
    return {
      id: this.id(i),
      kind: "GROUP",
      birthDate: null,
      sex: null,
      disability: null,
      adminAreaCode: `AREA-${Math.floor(r() * 20)}`,
      groupId: null,
      members: list,
      extra: { income: this.badIncome.has(i) ? "unknown" : income, assets: Math.floor(r() * 10), hasLand: r() < 0.3 },
    };
  }

  /** First index whose id is greater than `after`. */
  private indexAfter(after: string | null): number {
    if (after === null) return 0;
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.id(mid) > after) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  async page(args: { first: number; after: string | null }): Promise<RegistrantPage> {
    const start = this.indexAfter(args.after);
    const end = Math.min(this.size, start + args.first);
    const nodes: ProcessingRegistrant[] = [];
    for (let i = start; i < end; i++) nodes.push(this.registrant(i));
    this.pages++;
    this.sent += nodes.length;
    return { nodes, endCursor: nodes.at(-1)?.id ?? null, hasNextPage: end < this.size };
  }

  /** Members aged under 18 on `asOf` (independent of the engine). */
  childrenOf(i: number, asOf = new Date("2026-01-01T00:00:00Z")): number {
    return (this.registrant(i).members ?? []).filter((m) => {
      const born = new Date(`${m.birthDate}T00:00:00Z`);
      const eighteen = new Date(born);
      eighteen.setUTCFullYear(born.getUTCFullYear() + 18);
      return eighteen > asOf;
    }).length;
  }
}
