/**
 * A simulated bank speaking ISO 20022 files over host-to-host HTTP on loopback (port 0), the
 * protocol of the payments subgraph's bank connector (docs/payments.md, "Bank connector"):
 *
 *   POST /files                  pain.001.001.09 → 202 | 200 (same file again) | 400 + pain.002 RJCT (bad file) | 409 + pain.002 RJCT DU01
 *   GET  /reports/{MsgId}        pain.002.001.10 for a file, or 404
 *   GET  /transactions/{E2E}     pain.002.001.10 for one transaction, or 404
 *   GET  /statements             camt.053.001.08 of every booked entry of the account
 *   GET  /notifications/{MsgId}  camt.054.001.08 of the booked debits of one file
 *
 * It settles each EndToEndId at most once (a repeat in another file is reported with the original's
 * status) and counts settlements per EndToEndId. Faults: latency, 503s (file dropped), timeouts
 * (file processed, answer late), a settlement delay (ACCP until then), rejects (a rate, or IBANs
 * refused with AC04), and 503s on status queries. Every file it receives or produces is kept, so
 * tests can validate them all against the XSDs.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
// The simulator reuses our ISO 20022 codec (a strict XML reader/writer); both what it receives and
// what it answers are validated against the official XSDs in the tests, so a codec bug cannot hide.
import { iso20022 } from "@g2p/payments";

const { NS, paymentIdOf, parsePain001, sumDecimals, xmlDocument, XmlError } = iso20022;
type XmlNode = iso20022.XmlNode;

export interface BankFaults {
  latencyMs?: number;
  /** Fraction (0..1) of uploads answered 503 without processing them. */
  errorRate?: number;
  /** Fraction (0..1) of uploads processed, then answered only after timeoutDelayMs. */
  timeoutRate?: number;
  timeoutDelayMs?: number;
  /** Transactions stay ACCP for this long before they settle (ACSC). */
  settleDelayMs?: number;
  /** Fraction (0..1) of transactions rejected (AC01, incorrect account number). */
  rejectRate?: number;
  /** IBANs refused (AC04, closed account). */
  rejectIbans?: string[];
  /** Fraction (0..1) of GETs answered 503. */
  statusErrorRate?: number;
}

export interface BankTransaction {
  endToEndId: string;
  msgId: string;
  pmtInfId: string;
  amount: string;
  currency: string;
  account: string;
  status: "ACCP" | "ACSC" | "RJCT";
  reasonCode?: string;
  reasonText?: string;
  reference: string;
  acceptedAt: number;
  bookedAt?: string;
  reversed?: boolean;
}

export interface BankSimulator {
  url: string;
  transactions: Map<string, BankTransaction>;
  /** Settlements per EndToEndId (must never exceed 1). */
  settlements: Map<string, number>;
  /** Transactions that arrived again in another file. */
  duplicates: number;
  uploads: number;
  /** Every file received (pain.001, also malformed ones) and produced (pain.002, camt.053, camt.054). */
  received: string[];
  produced: { kind: "pain.002" | "camt.053" | "camt.054"; xml: string }[];
  setFaults(f: BankFaults): void;
  /** Books a reversal (returned funds) of a settled transaction, shown in later statements. */
  reverse(endToEndId: string, reason?: string): void;
  /** Settles every accepted transaction now, whatever settleDelayMs says. */
  settleAll(): void;
  statement(): string;
  stop(): Promise<void>;
}

const ACCOUNT = { iban: "DE89370400440532013000", owner: "G2P PROGRAMME", bic: "COBADEFFXXX" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

export async function startBankSimulator(initial: BankFaults = {}): Promise<BankSimulator> {
  let faults: BankFaults = { ...initial };
  const files = new Map<string, { text: string; endToEndIds: string[]; nbOfTxs: string; ctrlSum: string | null; createdAt: string }>();
  const transactions = new Map<string, BankTransaction>();
  const reversals: { tx: BankTransaction; bookedAt: string; reason: string }[] = [];
  const settlements = new Map<string, number>();
  let seq = 0;

  const settleDue = () => {
    const limit = Date.now() - (faults.settleDelayMs ?? 0);
    for (const tx of transactions.values()) {
      if (tx.status === "ACCP" && tx.acceptedAt <= limit) {
        tx.status = "ACSC";
        tx.bookedAt = new Date().toISOString().slice(0, 10);
        settlements.set(tx.endToEndId, (settlements.get(tx.endToEndId) ?? 0) + 1);
      }
    }
  };

  const reason = (code: string | undefined, text: string | undefined): XmlNode | null =>
    code ? ["StsRsnInf", ["Rsn", ["Cd", code]], text ? ["AddtlInf", text.slice(0, 105)] : null] : null;

  const pain002 = (orig: { msgId: string; nbOfTxs?: string; ctrlSum?: string | null; groupStatus: string; groupReason?: [string, string] }, txs: BankTransaction[]): string => {
    const byPmt = new Map<string, BankTransaction[]>();
    for (const t of txs) byPmt.set(t.pmtInfId, [...(byPmt.get(t.pmtInfId) ?? []), t]);
    const xml = xmlDocument([
      "Document",
      { xmlns: NS.pain002 },
      [
        "CstmrPmtStsRpt",
        ["GrpHdr", ["MsgId", `RPT${String(++seq).padStart(8, "0")}${randomUUID().slice(0, 8)}`], ["CreDtTm", now()], ["DbtrAgt", ["FinInstnId", ["BICFI", ACCOUNT.bic]]]],
        [
          "OrgnlGrpInfAndSts",
          ["OrgnlMsgId", orig.msgId],
          ["OrgnlMsgNmId", "pain.001.001.09"],
          orig.nbOfTxs ? ["OrgnlNbOfTxs", orig.nbOfTxs] : null,
          orig.ctrlSum ? ["OrgnlCtrlSum", orig.ctrlSum] : null,
          ["GrpSts", orig.groupStatus],
          orig.groupReason ? reason(orig.groupReason[0], orig.groupReason[1]) : null,
        ],
        ...[...byPmt].map(([pmtInfId, list]): XmlNode => [
          "OrgnlPmtInfAndSts",
          ["OrgnlPmtInfId", pmtInfId],
          ...list.map((t): XmlNode => [
            "TxInfAndSts",
            ["OrgnlEndToEndId", t.endToEndId],
            ["TxSts", t.status],
            t.status === "RJCT" ? reason(t.reasonCode, t.reasonText) : null,
            ["AcctSvcrRef", t.reference],
            ["OrgnlTxRef", ["Amt", ["InstdAmt", { Ccy: t.currency }, t.amount]]],
          ]),
        ]),
      ],
    ]);
    sim.produced.push({ kind: "pain.002", xml });
    return xml;
  };

  const groupStatus = (txs: BankTransaction[]) => {
    if (txs.every((t) => t.status === "ACSC")) return "ACSC";
    if (txs.every((t) => t.status === "RJCT")) return "RJCT";
    if (txs.every((t) => t.status !== "ACCP")) return "PART";
    return "ACCP";
  };

  const entry = (t: BankTransaction, bookedAt: string, reversal: boolean, why?: string): XmlNode => [
    "Ntry",
    ["NtryRef", t.reference],
    ["Amt", { Ccy: t.currency }, t.amount],
    ["CdtDbtInd", reversal ? "CRDT" : "DBIT"],
    reversal ? ["RvslInd", "true"] : null,
    ["Sts", ["Cd", "BOOK"]],
    ["BookgDt", ["Dt", bookedAt]],
    ["ValDt", ["Dt", bookedAt]],
    ["AcctSvcrRef", `${t.reference}${reversal ? "R" : ""}`],
    ["BkTxCd", ["Domn", ["Cd", "PMNT"], ["Fmly", ["Cd", "ICDT"], ["SubFmlyCd", reversal ? "RRTN" : "ESCT"]]]],
    [
      "NtryDtls",
      [
        "TxDtls",
        ["Refs", ["MsgId", t.msgId], ["PmtInfId", t.pmtInfId], ["EndToEndId", t.endToEndId]],
        ["Amt", { Ccy: t.currency }, t.amount],
        ["CdtDbtInd", reversal ? "CRDT" : "DBIT"],
        ["RltdPties", ["CdtrAcct", ["Id", /^[A-Z]{2}\d{2}/.test(t.account) ? ["IBAN", t.account] : ["Othr", ["Id", t.account]]]]],
        ["RmtInf", ["Ustrd", `G2P ${paymentIdOf(t.endToEndId)}`]],
        why ? ["AddtlTxInf", why.slice(0, 500)] : null,
      ],
    ],
  ];

  const account = (): XmlNode => ["Acct", ["Id", ["IBAN", ACCOUNT.iban]], ["Ownr", ["Nm", ACCOUNT.owner]]];

  const booked = () =>
    [...transactions.values()].filter((t) => t.status === "ACSC" && t.bookedAt).map((t) => ({ node: entry(t, t.bookedAt!, false), debit: t.amount }));

  const statement = (): string => {
    settleDue();
    const debits = booked();
    const credits = reversals.map((r) => ({ node: entry(r.tx, r.bookedAt, true, r.reason), credit: r.tx.amount }));
    const today = new Date().toISOString().slice(0, 10);
    const opening = "100000000";
    const out = sumDecimals(debits.map((d) => d.debit).concat("0"));
    const back = sumDecimals(credits.map((c) => c.credit).concat("0"));
    const closing = subtract(sumDecimals([opening, back]), out);
    const ccy = [...transactions.values()][0]?.currency ?? "EUR";
    const bal = (cd: string, amount: string): XmlNode => [
      "Bal",
      ["Tp", ["CdOrPrtry", ["Cd", cd]]],
      ["Amt", { Ccy: ccy }, amount.replace(/^-/, "")],
      ["CdtDbtInd", amount.startsWith("-") ? "DBIT" : "CRDT"],
      ["Dt", ["Dt", today]],
    ];
    const xml = xmlDocument([
      "Document",
      { xmlns: NS.camt053 },
      [
        "BkToCstmrStmt",
        ["GrpHdr", ["MsgId", `STMT${String(++seq).padStart(8, "0")}`], ["CreDtTm", now()]],
        ["Stmt", ["Id", `STMT-${today}-${seq}`], ["CreDtTm", now()], account(), bal("OPBD", opening), bal("CLBD", closing), ...debits.map((d) => d.node), ...credits.map((c) => c.node)],
      ],
    ]);
    sim.produced.push({ kind: "camt.053", xml });
    return xml;
  };

  const notification = (msgId: string): string => {
    settleDue();
    const file = files.get(msgId)!;
    const list = file.endToEndIds.map((e) => transactions.get(e)!).filter((t) => t.msgId === msgId && t.status === "ACSC");
    const xml = xmlDocument([
      "Document",
      { xmlns: NS.camt054 },
      ["BkToCstmrDbtCdtNtfctn", ["GrpHdr", ["MsgId", `NTF${String(++seq).padStart(8, "0")}`], ["CreDtTm", now()]], ["Ntfctn", ["Id", `NTF-${msgId}`.slice(0, 35)], ["CreDtTm", now()], account(), ...list.map((t) => entry(t, t.bookedAt!, false))]],
    ]);
    sim.produced.push({ kind: "camt.054", xml });
    return xml;
  };

  const sim: BankSimulator = {
    url: "",
    transactions,
    settlements,
    duplicates: 0,
    uploads: 0,
    received: [],
    produced: [],
    setFaults: (f) => {
      faults = { ...f };
    },
    reverse(endToEndId, why = "AC04 account closed") {
      settleDue();
      const tx = transactions.get(endToEndId);
      if (!tx || tx.status !== "ACSC" || tx.reversed) throw new Error(`cannot reverse ${endToEndId}`);
      tx.reversed = true;
      reversals.push({ tx, bookedAt: new Date().toISOString().slice(0, 10), reason: why });
    },
    settleAll() {
      for (const tx of transactions.values()) if (tx.status === "ACCP") tx.acceptedAt = 0;
      settleDue();
    },
    statement,
    stop: async () => {},
  };

  const xmlAnswer = (res: http.ServerResponse, status: number, xml: string) => {
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "application/xml; charset=utf-8", "content-length": Buffer.byteLength(xml) });
    res.end(xml);
  };
  const plain = (res: http.ServerResponse, status: number, text: string) => {
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
    res.end(text);
  };

  const receive = (text: string): { status: number; xml?: string } => {
    let file: ReturnType<typeof parsePain001>;
    try {
      file = parsePain001(text);
    } catch (err) {
      const why = err instanceof XmlError ? err.message : String(err);
      return { status: 400, xml: pain002({ msgId: "NOTPROVIDED", groupStatus: "RJCT", groupReason: ["FF01", why] }, []) };
    }
    const known = files.get(file.msgId);
    if (known) {
      if (known.text === text) return { status: 200 };
      return { status: 409, xml: pain002({ msgId: file.msgId, groupStatus: "RJCT", groupReason: ["DU01", "message id already used for another file"] }, []) };
    }
    const sum = sumDecimals(file.transactions.map((t) => t.amount));
    if (Number(file.nbOfTxs) !== file.transactions.length) return { status: 400, xml: pain002({ msgId: file.msgId, groupStatus: "RJCT", groupReason: ["AM18", `NbOfTxs ${file.nbOfTxs}, found ${file.transactions.length}`] }, []) };
    if (file.ctrlSum !== null && sumDecimals([file.ctrlSum]) !== sum) return { status: 400, xml: pain002({ msgId: file.msgId, groupStatus: "RJCT", groupReason: ["AM10", `CtrlSum ${file.ctrlSum}, transactions add up to ${sum}`] }, []) };
    files.set(file.msgId, { text, endToEndIds: file.transactions.map((t) => t.endToEndId), nbOfTxs: file.nbOfTxs, ctrlSum: file.ctrlSum, createdAt: now() });
    for (const t of file.transactions) {
      if (transactions.has(t.endToEndId)) {
        sim.duplicates++;
        continue;
      }
      const tx: BankTransaction = {
        endToEndId: t.endToEndId,
        msgId: file.msgId,
        pmtInfId: t.pmtInfId,
        amount: t.amount,
        currency: t.currency,
        account: t.account,
        status: "ACCP",
        reference: `BNK${randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase()}`,
        acceptedAt: Date.now(),
      };
      if (t.iban && faults.rejectIbans?.includes(t.iban)) Object.assign(tx, { status: "RJCT", reasonCode: "AC04", reasonText: "closed account number" });
      else if (faults.rejectRate && Math.random() < faults.rejectRate) Object.assign(tx, { status: "RJCT", reasonCode: "AC01", reasonText: "incorrect account number" });
      transactions.set(t.endToEndId, tx);
    }
    settleDue();
    return { status: 202 };
  };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (faults.latencyMs) await sleep(faults.latencyMs);
    const path = new URL(req.url ?? "/", "http://bank").pathname.replace(/\/+$/, "");
    try {
      if (req.method === "POST" && path === "/files") {
        sim.uploads++;
        const text = Buffer.concat(chunks).toString("utf8");
        sim.received.push(text);
        if (faults.errorRate && Math.random() < faults.errorRate) return plain(res, 503, "bank busy (simulated)");
        const answer = receive(text);
        if (faults.timeoutRate && Math.random() < faults.timeoutRate) await sleep(faults.timeoutDelayMs ?? 2000);
        return answer.xml ? xmlAnswer(res, answer.status, answer.xml) : plain(res, answer.status, answer.status === 202 ? "accepted" : "already received");
      }
      if (req.method !== "GET") return plain(res, 405, "method not allowed");
      if (faults.statusErrorRate && Math.random() < faults.statusErrorRate) return plain(res, 503, "try later");
      settleDue();
      let m = /^\/reports\/([^/]+)$/.exec(path);
      if (m) {
        const file = files.get(decodeURIComponent(m[1]!));
        if (!file) return plain(res, 404, "no such file");
        const txs = file.endToEndIds.map((e) => transactions.get(e)!);
        return xmlAnswer(res, 200, pain002({ msgId: decodeURIComponent(m[1]!), nbOfTxs: file.nbOfTxs, ctrlSum: file.ctrlSum, groupStatus: groupStatus(txs) }, txs));
      }
      m = /^\/transactions\/([^/]+)$/.exec(path);
      if (m) {
        const tx = transactions.get(decodeURIComponent(m[1]!));
        if (!tx) return plain(res, 404, "no such transaction");
        return xmlAnswer(res, 200, pain002({ msgId: tx.msgId, groupStatus: groupStatus([tx]) }, [tx]));
      }
      if (path === "/statements") return xmlAnswer(res, 200, statement());
      m = /^\/notifications\/([^/]+)$/.exec(path);
      if (m) {
        if (!files.has(decodeURIComponent(m[1]!))) return plain(res, 404, "no such file");
        return xmlAnswer(res, 200, notification(decodeURIComponent(m[1]!)));
      }
      return plain(res, 404, "no such resource");
    } catch (err) {
      return plain(res, 500, String(err));
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  sim.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  sim.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return sim;
}

/** a - b on non-negative decimal strings (may go negative). */
function subtract(a: string, b: string): string {
  const toMinor = (s: string) => {
    const [i, f = ""] = s.split(".");
    return BigInt(i!) * 100000n + BigInt(f.padEnd(5, "0"));
  };
  const d = toMinor(a) - toMinor(b);
  const neg = d < 0n;
  const s = (neg ? -d : d).toString().padStart(6, "0");
  const frac = s.slice(-5).replace(/0+$/, "");
  return `${neg ? "-" : ""}${s.slice(0, -5)}${frac ? `.${frac}` : ""}`;
}
