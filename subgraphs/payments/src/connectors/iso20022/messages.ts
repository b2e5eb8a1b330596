/**
 * ISO 20022 messages between the programme and its bank (schemas in
 * test/fixtures/standards/iso20022, 2019 release):
 *   pain.001.001.09  CustomerCreditTransferInitiation  we write (one file per sub-batch)
 *   pain.002.001.10  CustomerPaymentStatusReport        we read (group and transaction status)
 *   camt.053.001.08  BankToCustomerStatement            we read (reconciliation)
 *   camt.054.001.08  BankToCustomerDebitCreditNotification  we read (reconciliation)
 *
 * Identifiers: EndToEndId = our payment id without hyphens (Max35Text cannot hold a 36-character
 * UUID), UETR = our payment id as it is (a UUID v4); both come back in pain.002 and camt.05x.
 */
import { createHash } from "node:crypto";
import { at, child, children, parseXml, requiredText, textAt, xmlDocument, XmlError, type XmlElement, type XmlNode } from "./xml";
import type { Instruction } from "../types";

export const NS = {
  pain001: "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09",
  pain002: "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10",
  camt053: "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08",
  camt054: "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08",
} as const;

export { XmlError } from "./xml";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_V4 = /^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$/;

/** Our payment id → EndToEndId (≤ 35 characters). */
export function endToEndIdOf(paymentId: string): string {
  if (UUID.test(paymentId)) return paymentId.replace(/-/g, "").toLowerCase();
  if (paymentId.length > 35) throw new XmlError(`payment id ${paymentId.slice(0, 40)} is longer than an EndToEndId (35)`);
  return paymentId;
}

/** EndToEndId → our payment id (a 32-hex EndToEndId is a UUID without hyphens). */
export function paymentIdOf(endToEndId: string): string {
  const e = endToEndId.trim();
  return /^[0-9a-f]{32}$/i.test(e) ? `${e.slice(0, 8)}-${e.slice(8, 12)}-${e.slice(12, 16)}-${e.slice(16, 20)}-${e.slice(20)}`.toLowerCase() : e;
}

/** ISO 13616 check (mod 97 = 1) on an IBAN without spaces. */
export function isValidIban(iban: string): boolean {
  if (!/^[A-Z]{2}[0-9]{2}[A-Za-z0-9]{1,30}$/.test(iban)) return false;
  const moved = (iban.slice(4) + iban.slice(0, 4)).toUpperCase();
  let rest = 0;
  for (const ch of moved) {
    const v = ch >= "A" && ch <= "Z" ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest === 1;
}

/** A valid IBAN for a country and BBAN (check digits computed): for directories, simulators and tests. */
export function makeIban(country: string, bban: string): string {
  for (let check = 2; check <= 98; check++) {
    const candidate = `${country}${String(check).padStart(2, "0")}${bban}`;
    if (isValidIban(candidate)) return candidate;
  }
  throw new Error(`no IBAN for ${country} ${bban}`);
}

/** The creditor account of a payee, or a reason why a bank cannot pay it. */
export function creditorAccount(payee: Instruction["payee"]): { iban: string } | { other: string } | { error: string } {
  const id = payee.id.replace(/\s+/g, "");
  if (payee.type === "iban" || (payee.type === "account" && /^[A-Z]{2}[0-9]{2}/.test(id))) {
    return isValidIban(id) ? { iban: id } : { error: `invalid IBAN ${id.slice(0, 4)}… (ISO 13616 check failed)` };
  }
  if (payee.type === "account" || payee.type === "bank") {
    return /^[A-Za-z0-9-]{1,34}$/.test(id) ? { other: id } : { error: "account number must be 1-34 letters or digits" };
  }
  return { error: `a ${payee.type} address cannot be paid by bank transfer (needs iban: or account:)` };
}

export interface DebtorConfig {
  name: string;
  iban: string;
  bic: string;
}

/** Decimal amount string for an ISO amount (no exponent, at most 5 decimals; ours have at most 2). */
function isoAmount(amount: string): string {
  if (!/^\d{1,13}(\.\d{1,5})?$/.test(amount)) throw new XmlError(`amount ${amount} is not an ISO 20022 decimal`);
  return amount;
}

function sumMinor(amounts: string[]): string {
  let total = 0n;
  for (const a of amounts) {
    const [i, f = ""] = a.split(".");
    total += BigInt(i!) * 100000n + BigInt(f.padEnd(5, "0"));
  }
  const s = total.toString().padStart(6, "0");
  const frac = s.slice(-5).replace(/0+$/, "");
  return `${s.slice(0, -5)}${frac ? `.${frac}` : ""}`;
}

/** Deterministic message id of a file (same instructions → same MsgId: a re-upload is a duplicate the bank recognises). */
export function pain001MessageId(instructions: Instruction[]): string {
  const h = createHash("sha256");
  for (const i of [...instructions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) h.update(`${i.id}|${i.amount}|${i.currency}|${i.payee.type}:${i.payee.id}\n`);
  return `G2P${h.digest("hex").slice(0, 32)}`;
}

export interface Pain001Options {
  msgId?: string;
  createdAt?: Date;
  executionDate?: string;
  /** Shown as the remittance line when an instruction has no note. */
  remittance?: string;
}

/**
 * One pain.001.001.09 file: one PmtInf per currency (a file to one bank may mix them), one
 * CdtTrfTxInf per instruction. Every instruction must have a bank account (see creditorAccount).
 */
export function buildPain001(instructions: Instruction[], debtor: DebtorConfig, opts: Pain001Options = {}): { msgId: string; xml: string; nbOfTxs: number; ctrlSum: string } {
  if (instructions.length === 0) throw new XmlError("a pain.001 file needs at least one transaction");
  const msgId = opts.msgId ?? pain001MessageId(instructions);
  const created = (opts.createdAt ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z");
  const execution = opts.executionDate ?? created.slice(0, 10);
  const byCurrency = new Map<string, Instruction[]>();
  for (const i of instructions) byCurrency.set(i.currency, [...(byCurrency.get(i.currency) ?? []), i]);
  const ctrlSum = sumMinor(instructions.map((i) => isoAmount(i.amount)));
  const pmtInfs: XmlNode[] = [...byCurrency].map(([ccy, list], n) => [
    "PmtInf",
    ["PmtInfId", `${msgId.slice(0, 31)}-${String(n + 1).padStart(3, "0")}`],
    ["PmtMtd", "TRF"],
    ["BtchBookg", "false"],
    ["NbOfTxs", String(list.length)],
    ["CtrlSum", sumMinor(list.map((i) => i.amount))],
    ["PmtTpInf", ["CtgyPurp", ["Cd", "GOVT"]]],
    ["ReqdExctnDt", ["Dt", execution]],
    ["Dbtr", ["Nm", debtor.name.slice(0, 140)]],
    ["DbtrAcct", ["Id", ["IBAN", debtor.iban]], ["Ccy", ccy]],
    ["DbtrAgt", ["FinInstnId", ["BICFI", debtor.bic]]],
    ["ChrgBr", "SLEV"],
    ...list.map((i): XmlNode => {
      const acct = creditorAccount(i.payee);
      if ("error" in acct) throw new XmlError(`payment ${i.id}: ${acct.error}`);
      return [
        "CdtTrfTxInf",
        ["PmtId", ["InstrId", endToEndIdOf(i.id)], ["EndToEndId", endToEndIdOf(i.id)], UUID_V4.test(i.id) ? ["UETR", i.id] : null],
        ["Amt", ["InstdAmt", { Ccy: i.currency }, isoAmount(i.amount)]],
        ["Cdtr", ["Nm", "G2P BENEFICIARY"]],
        ["CdtrAcct", ["Id", "iban" in acct ? ["IBAN", acct.iban] : ["Othr", ["Id", acct.other]]]],
        ["Purp", ["Cd", "GOVT"]],
        ["RmtInf", ["Ustrd", (i.note || opts.remittance || "G2P payment").slice(0, 140)]],
      ];
    }),
  ]);
  const xml = xmlDocument([
    "Document",
    { xmlns: NS.pain001 },
    ["CstmrCdtTrfInitn", ["GrpHdr", ["MsgId", msgId], ["CreDtTm", created], ["NbOfTxs", String(instructions.length)], ["CtrlSum", ctrlSum], ["InitgPty", ["Nm", debtor.name.slice(0, 140)]]], ...pmtInfs],
  ]);
  return { msgId, xml, nbOfTxs: instructions.length, ctrlSum };
}

// ---- reading --------------------------------------------------------------------------------

/** Parses and checks the root: the right namespace and message element, or XmlError. */
export function readMessage(text: string, ns: string, element: string): XmlElement {
  const doc = parseXml(text);
  if (doc.root.name !== "Document") throw new XmlError(`root element is <${doc.root.name}>, not <Document>`);
  if (doc.namespace !== ns) throw new XmlError(`namespace is ${doc.namespace ?? "missing"}, expected ${ns}`);
  const msg = child(doc.root, element);
  if (!msg) throw new XmlError(`<Document> has no <${element}>`);
  return msg;
}

/** Which ISO 20022 message a text is (by its root namespace), or null. */
export function messageKind(text: string): keyof typeof NS | null {
  const m = /<(?:[A-Za-z_][\w.-]*:)?Document\b[^>]*\sxmlns(?::[\w.-]+)?\s*=\s*["']([^"']+)["']/.exec(text.slice(0, 4000));
  const found = Object.entries(NS).find(([, uri]) => uri === m?.[1]);
  return (found?.[0] as keyof typeof NS | undefined) ?? null;
}

export interface TxStatus {
  /** Our payment id (from OrgnlEndToEndId, or OrgnlUETR). */
  paymentId: string;
  /** ExternalPaymentTransactionStatus1Code: ACSC, ACCC, ACCP, ACSP, ACTC, PDNG, RCVD, RJCT, CANC ... */
  status: string;
  reasonCode: string | null;
  reasonText: string | null;
  /** The bank's reference (AcctSvcrRef). */
  reference: string | null;
}

export interface StatusReport {
  msgId: string;
  originalMsgId: string;
  groupStatus: string | null;
  groupReasonCode: string | null;
  groupReasonText: string | null;
  transactions: TxStatus[];
}

function reasonOf(el: XmlElement | undefined): { code: string | null; text: string | null } {
  const info = child(el, "StsRsnInf");
  if (!info) return { code: null, text: null };
  const addtl = children(info, "AddtlInf").map((a) => a.text).join(" ");
  return { code: textAt(info, "Rsn/Cd") ?? textAt(info, "Rsn/Prtry"), text: addtl || null };
}

/** Reads a pain.002.001.10 status report. */
export function parsePain002(text: string): StatusReport {
  const msg = readMessage(text, NS.pain002, "CstmrPmtStsRpt");
  const grp = child(msg, "OrgnlGrpInfAndSts");
  const groupReason = reasonOf(grp);
  const transactions: TxStatus[] = [];
  for (const pmt of children(msg, "OrgnlPmtInfAndSts")) {
    const pmtStatus = textAt(pmt, "PmtInfSts");
    const pmtReason = reasonOf(pmt);
    for (const tx of children(pmt, "TxInfAndSts")) {
      const e2e = textAt(tx, "OrgnlEndToEndId") ?? textAt(tx, "OrgnlUETR");
      if (!e2e) throw new XmlError("pain.002: TxInfAndSts without OrgnlEndToEndId or OrgnlUETR");
      const status = textAt(tx, "TxSts") ?? pmtStatus ?? textAt(grp, "GrpSts");
      if (!status) throw new XmlError(`pain.002: no status for ${e2e}`);
      const r = reasonOf(tx);
      transactions.push({
        paymentId: paymentIdOf(e2e),
        status,
        reasonCode: r.code ?? pmtReason.code,
        reasonText: r.text ?? pmtReason.text,
        reference: textAt(tx, "AcctSvcrRef"),
      });
    }
  }
  return {
    msgId: requiredText(msg, "GrpHdr/MsgId", "pain.002"),
    originalMsgId: requiredText(grp, "OrgnlMsgId", "pain.002 OrgnlGrpInfAndSts"),
    groupStatus: textAt(grp, "GrpSts"),
    groupReasonCode: groupReason.code,
    groupReasonText: groupReason.text,
    transactions,
  };
}

/** A statement line in the shape reconciliation reads (the same for MT940, camt.053 and camt.054). */
export interface StatementEntry {
  valueDate: string;
  /** D debit, C credit, RD/RC their reversals. */
  mark: "C" | "D" | "RC" | "RD";
  /** Minor units. */
  amount: bigint;
  currency: string | null;
  /** Our payment id when the bank echoed it (EndToEndId / UETR), else the best reference found. */
  customerReference: string;
  bankReference: string | null;
  narrative: string;
}

export interface BankStatement {
  format: "MT940" | "CAMT053" | "CAMT054";
  reference: string;
  account: string;
  entries: StatementEntry[];
}

function minorOf(amount: string, where: string): bigint {
  const m = /^(\d{1,18})(?:\.(\d{1,5}))?$/.exec(amount.trim());
  if (!m) throw new XmlError(`${where}: amount "${amount.slice(0, 30)}" is not a decimal`);
  const frac = (m[2] ?? "").padEnd(5, "0");
  if (/[1-9]/.test(frac.slice(2))) throw new XmlError(`${where}: amount ${amount} has more than 2 decimals`);
  return BigInt(m[1]!) * 100n + BigInt(frac.slice(0, 2));
}

function accountOf(acct: XmlElement | undefined): string {
  return textAt(acct, "Id/IBAN") ?? textAt(acct, "Id/Othr/Id") ?? "";
}

/** Entries of a camt.053 Stmt or camt.054 Ntfctn: booked entries only, batch bookings split per TxDtls. */
function entriesOf(report: XmlElement, where: string): StatementEntry[] {
  const out: StatementEntry[] = [];
  for (const [n, ntry] of children(report, "Ntry").entries()) {
    const here = `${where} Ntry ${n + 1}`;
    const status = textAt(ntry, "Sts/Cd") ?? textAt(ntry, "Sts/Prtry");
    if (status !== "BOOK") continue; // pending/information entries are not money moved
    const cdi = requiredText(ntry, "CdtDbtInd", here);
    if (cdi !== "DBIT" && cdi !== "CRDT") throw new XmlError(`${here}: CdtDbtInd ${cdi}`);
    const reversal = textAt(ntry, "RvslInd") === "true";
    // ISO: RvslInd with CRDT is the reversal of a debit (MT940's RD); with DBIT, of a credit (RC).
    const mark = reversal ? (cdi === "CRDT" ? "RD" : "RC") : cdi === "DBIT" ? "D" : "C";
    const amtEl = child(ntry, "Amt");
    if (!amtEl) throw new XmlError(`${here}: Amt is missing`);
    const valueDate = textAt(ntry, "ValDt/Dt") ?? textAt(ntry, "ValDt/DtTm")?.slice(0, 10) ?? textAt(ntry, "BookgDt/Dt") ?? "";
    const entryRef = textAt(ntry, "AcctSvcrRef");
    const details = children(ntry, "NtryDtls").flatMap((d) => children(d, "TxDtls"));
    const items = details.length > 0 ? details : [undefined];
    for (const tx of items) {
      const amount = tx && child(tx, "Amt") ? child(tx, "Amt")! : amtEl;
      const e2e = textAt(tx, "Refs/EndToEndId");
      const uetr = textAt(tx, "Refs/UETR");
      const ref = e2e && e2e !== "NOTPROVIDED" ? paymentIdOf(e2e) : uetr ?? textAt(tx, "Refs/InstrId") ?? textAt(ntry, "NtryRef") ?? "";
      const narrative = [textAt(tx, "RmtInf/Ustrd"), textAt(tx, "AddtlTxInf"), textAt(ntry, "AddtlNtryInf")].filter(Boolean).join(" ");
      out.push({
        valueDate,
        mark: mark as StatementEntry["mark"],
        amount: minorOf(amount.text, here),
        currency: amount.attrs.Ccy ?? null,
        customerReference: ref,
        bankReference: textAt(tx, "Refs/AcctSvcrRef") ?? entryRef,
        narrative,
      });
    }
    if (details.length > 1 && !details.every((d) => child(d, "Amt"))) throw new XmlError(`${here}: batch booking without an amount per transaction`);
  }
  return out;
}

/** Reads a camt.053.001.08 statement (every Stmt of the message). */
export function parseCamt053(text: string): BankStatement {
  const msg = readMessage(text, NS.camt053, "BkToCstmrStmt");
  const stmts = children(msg, "Stmt");
  if (stmts.length === 0) throw new XmlError("camt.053: no Stmt");
  return {
    format: "CAMT053",
    reference: requiredText(stmts[0], "Id", "camt.053 Stmt"),
    account: accountOf(child(stmts[0], "Acct")),
    entries: stmts.flatMap((s, i) => entriesOf(s, `camt.053 Stmt ${i + 1}`)),
  };
}

/** Reads a camt.054.001.08 debit/credit notification (every Ntfctn of the message). */
export function parseCamt054(text: string): BankStatement {
  const msg = readMessage(text, NS.camt054, "BkToCstmrDbtCdtNtfctn");
  const ntfs = children(msg, "Ntfctn");
  if (ntfs.length === 0) throw new XmlError("camt.054: no Ntfctn");
  return {
    format: "CAMT054",
    reference: requiredText(ntfs[0], "Id", "camt.054 Ntfctn"),
    account: accountOf(child(ntfs[0], "Acct")),
    entries: ntfs.flatMap((s, i) => entriesOf(s, `camt.054 Ntfctn ${i + 1}`)),
  };
}

/** Reads what the GrpHdr of a pain.001 says, and its transactions (the bank simulator's side). */
export function parsePain001(text: string) {
  const msg = readMessage(text, NS.pain001, "CstmrCdtTrfInitn");
  const txs = children(msg, "PmtInf").flatMap((pmt) =>
    children(pmt, "CdtTrfTxInf").map((tx) => ({
      pmtInfId: requiredText(pmt, "PmtInfId", "pain.001 PmtInf"),
      endToEndId: requiredText(tx, "PmtId/EndToEndId", "pain.001 CdtTrfTxInf"),
      uetr: textAt(tx, "PmtId/UETR"),
      amount: requiredText(tx, "Amt/InstdAmt", "pain.001 CdtTrfTxInf"),
      currency: at(tx, "Amt/InstdAmt")?.attrs.Ccy ?? "",
      iban: textAt(tx, "CdtrAcct/Id/IBAN"),
      account: textAt(tx, "CdtrAcct/Id/IBAN") ?? textAt(tx, "CdtrAcct/Id/Othr/Id") ?? "",
      remittance: textAt(tx, "RmtInf/Ustrd"),
    })),
  );
  return {
    msgId: requiredText(msg, "GrpHdr/MsgId", "pain.001"),
    nbOfTxs: requiredText(msg, "GrpHdr/NbOfTxs", "pain.001"),
    ctrlSum: textAt(msg, "GrpHdr/CtrlSum"),
    debtorIban: textAt(msg, "PmtInf/DbtrAcct/Id/IBAN"),
    transactions: txs,
  };
}

export { sumMinor as sumDecimals };
