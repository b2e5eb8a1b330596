/**
 * Reconciles a provider statement (MT940, ISO 20022 camt.053 or camt.054: one service, one parser
 * per format, all giving the same entries) against a batch: every debit line is matched to a payment by the
 * payment id (in the line's customer reference or narrative) or the instruction id; COMPLETED
 * payments without a line are MISSING; reversal lines (RD) mark the payment REVERSED and put its
 * amount back on the program's funding account; lines that match no payment are reported as unknown.
 */
import type { EntityManager } from "@mikro-orm/core";
import { audit, decimalToMinor, fromMinorUnits, notFound, userError, type AuditActor } from "@g2p/kit";
import { DisbursementBatch } from "../entities/disbursement-batch.entity";
import { Payment, PaymentStatus, ReconciliationStatus } from "../entities/payment.entity";
import { accountCodes, post } from "./ledger.service";
import { messageKind, parseCamt053, parseCamt054, XmlError, type StatementEntry } from "../connectors/iso20022";
import { Mt940Error, parseMt940 } from "./mt940";
import { slices } from "./sql";

export interface UnknownLine {
  reference: string;
  amount: string;
  mark: string;
  narrative: string;
}

export interface ReconciliationReport {
  statementReference: string;
  lines: number;
  matched: number;
  amountMismatches: string[];
  missing: string[];
  reversed: string[];
  unknownLines: UnknownLine[];
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

export type StatementFormat = "MT940" | "CAMT053" | "CAMT054";

/** Parses a statement in any supported format into reconciliation entries; MALFORMED_FILE when it cannot. */
export function parseStatement(text: string, format?: StatementFormat | null, field = "statement"): { reference: string; format: StatementFormat; entries: StatementEntry[] } {
  const kind = format ?? (text.trimStart().startsWith("<") ? (messageKind(text) === "camt054" ? "CAMT054" : "CAMT053") : "MT940");
  try {
    if (kind === "MT940") {
      const s = parseMt940(text);
      return { reference: s.reference, format: kind, entries: s.entries.map((e) => ({ ...e, currency: null })) };
    }
    const s = kind === "CAMT054" ? parseCamt054(text) : parseCamt053(text);
    return { reference: s.reference, format: kind, entries: s.entries };
  } catch (err) {
    if (err instanceof Mt940Error || err instanceof XmlError) {
      throw userError("MALFORMED_FILE", `${field}: not a valid ${kind === "MT940" ? "MT940 statement" : kind === "CAMT054" ? "camt.054.001.08 notification" : "camt.053.001.08 statement"}: ${err.message}`, { field, format: kind, detail: err.message });
    }
    throw err;
  }
}

export async function reconcileStatement(em: EntityManager, actor: AuditActor, batchId: string, statementText: string, format?: StatementFormat | null, field = "statement"): Promise<ReconciliationReport> {
  // Parsed in full before anything is written: a malformed file changes nothing.
  const statement = parseStatement(statementText, format, field);
  return em.fork().transactional(async (tx) => {
    const batch = await tx.findOne(DisbursementBatch, batchId);
    if (!batch) throw notFound("DisbursementBatch", batchId);
    const keyOf = (e: StatementEntry) => (UUID.exec(e.customerReference) ?? UUID.exec(e.narrative))?.[0]?.toLowerCase() ?? e.customerReference;
    const keys = [...new Set(statement.entries.map(keyOf))];
    const byKey = new Map<string, Payment>();
    for (const part of slices(keys, 1000)) {
      const ids = part.filter((k) => UUID.test(k));
      const found = await tx.find(Payment, { batchId, $or: [{ id: { $in: ids.length ? ids : ["00000000-0000-0000-0000-000000000000"] } }, { instructionId: { $in: part } }] });
      for (const p of found) {
        byKey.set(p.id, p);
        byKey.set(p.instructionId, p);
      }
    }
    const report: ReconciliationReport = { statementReference: statement.reference, lines: statement.entries.length, matched: 0, amountMismatches: [], missing: [], reversed: [], unknownLines: [] };
    const seen = new Set<string>();
    const matched = new Set<string>();
    for (const e of statement.entries) {
      const p = byKey.get(keyOf(e));
      if (!p || (e.mark !== "D" && e.mark !== "RD")) {
        report.unknownLines.push({ reference: e.customerReference || e.bankReference || "", amount: fromMinorUnits(e.amount), mark: e.mark, narrative: e.narrative.slice(0, 200) });
        continue;
      }
      if (e.mark === "RD") {
        if (p.reconciliation !== ReconciliationStatus.REVERSED && p.status === PaymentStatus.COMPLETED) {
          p.reconciliation = ReconciliationStatus.REVERSED;
          p.statusReason = `reversed by the provider (statement ${statement.reference})`;
          await post(tx, {
            key: `reversal:${p.id}`,
            description: `reversal of payment ${p.id} (statement ${statement.reference})`,
            currency: p.currency,
            batchId,
            lines: [
              { account: accountCodes.funding(batch.programCode!), amount: decimalToMinor(p.amount) },
              { account: accountCodes.settlement(p.providerCode!), amount: -decimalToMinor(p.amount) },
            ],
          });
        }
        report.reversed.push(p.id);
        matched.delete(p.id);
        seen.add(p.id);
        continue;
      }
      seen.add(p.id);
      if (p.reconciliation === ReconciliationStatus.REVERSED) continue;
      if (decimalToMinor(p.amount) !== e.amount || (e.currency && e.currency !== p.currency)) {
        p.reconciliation = ReconciliationStatus.AMOUNT_MISMATCH;
        report.amountMismatches.push(p.id);
      } else {
        p.reconciliation = ReconciliationStatus.MATCHED;
        matched.add(p.id);
      }
    }
    report.matched = matched.size;
    // COMPLETED payments the statement does not show, in pages (bounded memory).
    let lastSeq = -1;
    for (;;) {
      const page = await tx.find(Payment, { batchId, status: PaymentStatus.COMPLETED, seq: { $gt: lastSeq } }, { fields: ["id", "seq", "reconciliation"], orderBy: { seq: "asc" }, limit: 5000 });
      if (page.length === 0) break;
      lastSeq = page[page.length - 1]!.seq;
      const missing = page.filter((p) => !seen.has(p.id) && p.reconciliation !== ReconciliationStatus.REVERSED).map((p) => p.id);
      report.missing.push(...missing);
      for (const ids of slices(missing, 1000)) await tx.nativeUpdate(Payment, { id: { $in: ids } }, { reconciliation: ReconciliationStatus.MISSING });
    }
    audit(tx, actor, {
      action: "batch.reconcile",
      entityType: "DisbursementBatch",
      entityId: batchId,
      changes: { statement: statement.reference, format: statement.format, lines: report.lines, matched: report.matched, missing: report.missing.length, reversed: report.reversed.length, unknown: report.unknownLines.length },
    });
    return report;
  });
}
