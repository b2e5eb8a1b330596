import { AuditEntry, codesOf, dataOf, startTestSubgraph, type TestSubgraph } from "@g2p/kit";
import { subgraph } from "../src";
import { NotificationChannel } from "../src/entities/notification-template.entity";
import { PaymentNotification } from "../src/entities/notification.entity";
import { Payment } from "../src/entities/payment.entity";
import { FINAL, FINANCE, fund, provider, startEmailGateway, startMobileMoneySimulator, startSmsGateway, waitForBatch, type EmailGatewaySim, type MobileMoneySim, type SmsGatewaySim, usePaymentsEnv } from "./helpers";

process.env.PAYMENTS_CONNECTOR_TIMEOUT_MS = "1000";
process.env.PAYMENTS_NOTIFY_INTERVAL_MS = "50";
process.env.PAYMENTS_NOTIFY_BACKOFF_MS = "50";
process.env.PAYMENTS_STATUS_POLL_INTERVAL_MS = "0";
delete process.env.PAYMENTS_GSMA_CALLBACK_URL;

const CREATE = `mutation ($i: CreateDisbursementBatchInput!) { createDisbursementBatch(input: $i) { id } }`;
const SET = `mutation ($i: PaymentNotificationTemplateInput!) { setPaymentNotificationTemplate(input: $i) { id programCode language event channel subject body } }`;
const LIST = `query ($p: String) { paymentNotificationTemplates(programCode: $p) { programCode language event channel subject body } }`;
const STATS = `query ($b: ID, $c: PaymentNotificationChannel) { paymentNotificationStats(batchId: $b, channel: $c) { pending sending sent failed skipped total emailGatewayConfigured } }`;
const msisdn = (n: number) => `2557${String(n).padStart(8, "0")}`;

type Instruction = { instructionId: string; financialAddress: string; amount: string; language?: string; email?: string };

describe("notification templates per program and language; e-mail channel", () => {
  let sg: TestSubgraph;
  let sim: MobileMoneySim;
  let sms: SmsGatewaySim;
  let mail: EmailGatewaySim;
  usePaymentsEnv({ PAYMENTS_CHUNK_SIZE: "10" });

  const setTemplate = async (i: Record<string, unknown>) => dataOf(await sg.request(SET, { i }, FINANCE)).setPaymentNotificationTemplate;
  const submit = async (key: string, programCode: string, payments: Instruction[], language?: string) =>
    dataOf(await sg.request(CREATE, { i: { clientCorrelationId: key, programCode, currency: "KES", language, payments } }, FINANCE)).createDisbursementBatch.id as string;
  /** Waits until no notification of the batch is PENDING or SENDING; returns its rows. */
  const drained = async (batchId: string) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const s = dataOf(await sg.request(STATS, { b: batchId }, FINANCE)).paymentNotificationStats;
      if (s.total > 0 && s.pending === 0 && s.sending === 0) return sg.orm.em.fork().find(PaymentNotification, { batchId });
      if (Date.now() > deadline) throw new Error(`notifications not drained: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const smsTo = (n: number) => sms.messages.filter((m) => m.to === msisdn(n));

  beforeAll(async () => {
    sim = await startMobileMoneySimulator();
    sms = await startSmsGateway();
    mail = await startEmailGateway();
    process.env.PAYMENTS_SMS_GATEWAY_URL = sms.url;
    process.env.PAYMENTS_EMAIL_GATEWAY_URL = mail.url;
    delete process.env.PAYMENTS_NOTIFY_DEFAULT_LANGUAGE;
    sg = await startTestSubgraph(subgraph);
    await provider(sg, "mm", sim.url);
    await fund(sg, "TPL", "100000.00");
    await fund(sg, "BARE", "100000.00");
    await setTemplate({ programCode: "TPL", language: "fr", event: "COMPLETED", channel: "SMS", body: "Paiement {programCode} de {amount} {currency} envoyé. Réf {reference}." });
    await setTemplate({ programCode: "TPL", language: "en", event: "COMPLETED", channel: "SMS", body: "{programCode}: you were paid {amount} {currency}. Ref {reference}." });
    await setTemplate({ programCode: "TPL", language: "fr", event: "COMPLETED", channel: "EMAIL", subject: "Paiement {programCode} envoyé", body: "Bonjour, {amount} {currency} ont été envoyés. Réf {reference}." });
  });
  afterAll(async () => {
    delete process.env.PAYMENTS_SMS_GATEWAY_URL;
    delete process.env.PAYMENTS_EMAIL_GATEWAY_URL;
    await sg.stop();
    await sim.stop();
    await sms.stop();
    await mail.stop();
  });

  it("renders the program's template in the payment's language; falls back to the default language, then to the built-in English text", async () => {
    const id = await submit("t-1", "TPL", [
      { instructionId: "fr", financialAddress: `mobile:${msisdn(1)}@mm`, amount: "12.50", language: "fr" },
      { instructionId: "fr-ca", financialAddress: `mobile:${msisdn(2)}@mm`, amount: "12.50", language: "fr-CA" },
      { instructionId: "sw", financialAddress: `mobile:${msisdn(3)}@mm`, amount: "12.50", language: "sw" },
      { instructionId: "batch-default", financialAddress: `mobile:${msisdn(4)}@mm`, amount: "12.50" },
    ], "fr");
    await waitForBatch(sg, id, FINAL);
    await drained(id);
    const ref = async (n: number) => (await sg.orm.em.fork().findOneOrFail(Payment, { batchId: id, financialAddress: `mobile:${msisdn(n)}@mm` })).providerReference;
    expect(smsTo(1).map((m) => m.text)).toEqual([`Paiement TPL de 12.50 KES envoyé. Réf ${await ref(1)}.`]);
    expect(smsTo(2).map((m) => m.text)).toEqual([`Paiement TPL de 12.50 KES envoyé. Réf ${await ref(2)}.`]); // fr-ca → fr
    expect(smsTo(3).map((m) => m.text)).toEqual([`TPL: you were paid 12.50 KES. Ref ${await ref(3)}.`]); // no sw → default language en
    expect(smsTo(4)[0]!.text).toMatch(/^Paiement TPL/); // the batch's language
    const stored = await sg.orm.em.fork().find(Payment, { batchId: id }, { orderBy: { seq: "asc" } });
    expect(stored.map((p) => p.language)).toEqual(["fr", "fr-ca", "sw", "fr"]);

    // A program without templates: the built-in English text of before.
    const bare = await submit("t-2", "BARE", [{ instructionId: "b", financialAddress: `mobile:${msisdn(5)}@mm`, amount: "3.00", language: "fr" }]);
    await waitForBatch(sg, bare, FINAL);
    await drained(bare);
    const bareRef = (await sg.orm.em.fork().findOneOrFail(Payment, { batchId: bare })).providerReference;
    expect(smsTo(5).map((m) => m.text)).toEqual([`G2P payment of 3 KES has been sent to your account. Ref ${bareRef}.`]);
  });

  it("honours PAYMENTS_NOTIFY_DEFAULT_LANGUAGE", async () => {
    process.env.PAYMENTS_NOTIFY_DEFAULT_LANGUAGE = "fr";
    try {
      const id = await submit("t-3", "TPL", [{ instructionId: "de", financialAddress: `mobile:${msisdn(6)}@mm`, amount: "1.00", language: "de" }]);
      await waitForBatch(sg, id, FINAL);
      await drained(id);
      expect(smsTo(6)[0]!.text).toMatch(/^Paiement TPL de 1 KES/);
    } finally {
      delete process.env.PAYMENTS_NOTIFY_DEFAULT_LANGUAGE;
    }
  });

  it("sends an e-mail once through the e-mail gateway beside the SMS, keeps SENT and wipes the address", async () => {
    mail.setFaults({ failNext: 1 }); // one retry: still one message at the gateway
    const id = await submit("t-4", "TPL", [
      { instructionId: "both", financialAddress: `mobile:${msisdn(7)}@mm`, amount: "40.00", language: "fr", email: "amina@example.org" },
      { instructionId: "sms-only", financialAddress: `mobile:${msisdn(8)}@mm`, amount: "40.00", language: "fr" },
    ]);
    await waitForBatch(sg, id, FINAL);
    const rows = await drained(id);
    expect(rows.map((r) => `${r.channel}:${r.status}`).sort()).toEqual(["EMAIL:SENT", "SMS:SENT", "SMS:SENT"]);
    const email = rows.find((r) => r.channel === NotificationChannel.EMAIL)!;
    const payment = await sg.orm.em.fork().findOneOrFail(Payment, { batchId: id, instructionId: "both" });
    expect(email.dedupeKey).toBe(`${payment.id}:COMPLETED:${payment.attempts}:EMAIL`);
    expect(email.recipient).toBeNull();
    expect(email.attempts).toBe(2);
    const got = mail.messages.filter((m) => m.to === "amina@example.org");
    expect(got).toEqual([
      expect.objectContaining({ messageId: email.id, idempotencyKey: email.id, subject: "Paiement TPL envoyé", text: `Bonjour, 40 KES ont été envoyés. Réf ${payment.providerReference}.` }),
    ]);
    expect(mail.receipts.get(email.id)).toBe(1);
    expect(smsTo(7)).toHaveLength(1);
    expect(dataOf(await sg.request(STATS, { b: id, c: "EMAIL" }, FINANCE)).paymentNotificationStats).toMatchObject({ sent: 1, total: 1, emailGatewayConfigured: true });

    // The address is personal data: not shown without personal_data:read.
    const Q = `query ($id: ID!) { payment(id: $id) { language email } }`;
    const denied = await sg.request(Q, { id: payment.id }, FINANCE);
    expect(codesOf(denied)).toEqual(["FORBIDDEN"]);
    expect(dataOf(await sg.request(Q, { id: payment.id }, { role: "admin", sub: "admin-1" })).payment).toEqual({ language: "fr", email: "amina@example.org" });
  });

  it("refuses unknown placeholders naming them, and a subject on SMS", async () => {
    const bad = await sg.request(SET, { i: { programCode: "TPL", language: "sw", event: "FAILED", channel: "SMS", body: "Malipo {amount} {name} {iban} yameshindikana" } }, FINANCE);
    expect(codesOf(bad)).toEqual(["BAD_USER_INPUT"]);
    expect(bad.errors![0]!.message).toContain("{name}, {iban}");
    const subject = await sg.request(SET, { i: { programCode: "TPL", language: "sw", event: "FAILED", channel: "SMS", subject: "x", body: "Malipo {amount}" } }, FINANCE);
    expect(codesOf(subject)).toEqual(["BAD_USER_INPUT"]);
    const noSubject = await sg.request(SET, { i: { programCode: "TPL", language: "sw", event: "FAILED", channel: "EMAIL", body: "Malipo {amount}" } }, FINANCE);
    expect(codesOf(noSubject)).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await sg.request(SET, { i: { programCode: "TPL", language: "sw", event: "FAILED", channel: "SMS", body: "x" } }, { role: "approver", sub: "a" }))).toEqual(["FORBIDDEN"]);
  });

  it("replaces a template in place (one per program, language, event and channel) and audits the change", async () => {
    const first = await setTemplate({ programCode: "AUD", language: "SW", event: "FAILED", channel: "SMS", body: "Malipo ya {amount} {currency} yameshindikana." });
    const second = await setTemplate({ programCode: "AUD", language: "sw", event: "FAILED", channel: "SMS", body: "Malipo ya {amount} {currency} hayakukamilika. Kumb {reference}." });
    expect(second.id).toBe(first.id);
    expect(second.language).toBe("sw");
    expect(dataOf(await sg.request(LIST, { p: "AUD" }, FINANCE)).paymentNotificationTemplates).toEqual([
      { programCode: "AUD", language: "sw", event: "FAILED", channel: "SMS", subject: null, body: "Malipo ya {amount} {currency} hayakukamilika. Kumb {reference}." },
    ]);
    const audits = await sg.orm.em.fork().find(AuditEntry, { entityType: "NotificationTemplate", entityId: first.id }, { orderBy: { at: "asc", id: "asc" } });
    expect(audits).toHaveLength(2);
    expect(audits[1]).toMatchObject({ action: "notification_template.set", actor: FINANCE.sub });
    expect(audits[1]!.changes).toMatchObject({ programCode: "AUD", language: "sw", event: "FAILED", channel: "SMS", before: { body: "Malipo ya {amount} {currency} yameshindikana." } });
  });

  it("refuses a malformed language or e-mail on a payment", async () => {
    const bad = (p: Partial<Instruction>) => sg.request(CREATE, { i: { clientCorrelationId: `bad-${Math.random()}`, programCode: "TPL", currency: "KES", payments: [{ instructionId: "x", financialAddress: `mobile:${msisdn(9)}@mm`, amount: "1", ...p }] } }, FINANCE);
    expect(codesOf(await bad({ language: "french!" }))).toEqual(["BAD_USER_INPUT"]);
    expect(codesOf(await bad({ email: "not-an-address" }))).toEqual(["BAD_USER_INPUT"]);
  });
});
