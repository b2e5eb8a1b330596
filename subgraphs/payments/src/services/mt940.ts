/**
 * A strict parser for SWIFT MT940 customer statements (the fields reconciliation needs): `:20:`
 * reference, `:25:` account, `:28C:` statement number, `:60F:`/`:62F:` balances, and each `:61:`
 * entry with its `:86:` narrative. No licensed machine-readable MT940 definition exists
 * (../shared/standards/README.md): this follows the field layout common to bank implementation guides.
 * Entries marked D are our debits (payments out), RD their reversals (as OpenG2P's G2P Bridge reads them).
 */
export interface Mt940Entry {
  valueDate: string;
  mark: "C" | "D" | "RC" | "RD";
  /** Minor units. */
  amount: bigint;
  typeCode: string;
  customerReference: string;
  bankReference: string | null;
  narrative: string;
}

export interface Mt940Statement {
  reference: string;
  account: string;
  statementNumber: string;
  openingBalance: string | null;
  closingBalance: string | null;
  entries: Mt940Entry[];
}

export class Mt940Error extends Error {}

const ENTRY = /^(\d{6})(\d{4})?(RC|RD|C|D)([A-Z])?(\d{1,15}),(\d{0,2})([NSF][A-Z0-9]{3})([^/\r\n]{0,16})(?:\/\/([^\r\n]{0,16}))?/;

export function parseMt940(text: string): Mt940Statement {
  const fields: { tag: string; value: string }[] = [];
  for (const raw of text.replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.trimEnd();
    if (!line || line === "-" || line.startsWith("{") || line === "-}") continue;
    const m = /^:(\d{2}[A-Z]?):(.*)$/.exec(line);
    if (m) fields.push({ tag: m[1]!, value: m[2]! });
    else if (fields.length) fields[fields.length - 1]!.value += `\n${line}`;
    else throw new Mt940Error(`text before the first field: ${line.slice(0, 40)}`);
  }
  const one = (tag: string) => fields.find((f) => f.tag === tag)?.value ?? null;
  const reference = one("20");
  const account = one("25");
  if (!reference || !account) throw new Mt940Error("an MT940 statement needs :20: and :25:");
  const entries: Mt940Entry[] = [];
  for (let i = 0; i < fields.length; i++) {
    if (fields[i]!.tag !== "61") continue;
    const value = fields[i]!.value.split("\n")[0]!;
    const m = ENTRY.exec(value);
    if (!m) throw new Mt940Error(`bad :61: line: ${value.slice(0, 60)}`);
    const next = fields[i + 1];
    entries.push({
      valueDate: m[1]!,
      mark: m[3] as Mt940Entry["mark"],
      amount: BigInt(m[5]!) * 100n + BigInt((m[6] ?? "").padEnd(2, "0") || "0"),
      typeCode: m[7]!,
      customerReference: m[8]!.trim(),
      bankReference: m[9]?.trim() || null,
      narrative: next?.tag === "86" ? next.value.replace(/\n/g, " ") : "",
    });
  }
  return { reference, account, statementNumber: one("28C") ?? "", openingBalance: one("60F"), closingBalance: one("62F"), entries };
}
