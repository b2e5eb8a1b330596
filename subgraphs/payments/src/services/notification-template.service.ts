/**
 * Notification templates per program, language, event and channel (docs/payments.md, "Beneficiary
 * notifications"): validation and upsert for the API, and the resolution used when outbox rows are
 * written — (program, language) → (program, primary subtag, e.g. fr-ca → fr) → (program,
 * PAYMENTS_NOTIFY_DEFAULT_LANGUAGE) → the built-in English texts.
 */
import { audit, badInput, type AuditActor } from "@g2p/kit";
import type { EntityManager } from "@mikro-orm/core";
import { NotificationChannel, NotificationEvent, NotificationTemplate } from "../entities/notification-template.entity";
import { checkProgram } from "./batch.service";
import { isUniqueViolation } from "./sql";

/** What a template may say: the payment's money and reference, and the program — never personal data. */
export const PLACEHOLDERS = ["amount", "currency", "reference", "programCode"] as const;
export type TemplateValues = Record<(typeof PLACEHOLDERS)[number], string>;

const PLACEHOLDER = /\{([^{}]*)\}/g;
const LANGUAGE = /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/;

/** BCP 47 tags are case-insensitive: stored and compared in lower case. */
export function normalizeLanguage(tag: string, field = "language"): string {
  const t = tag.trim().toLowerCase();
  if (t.length > 35 || !LANGUAGE.test(t)) throw badInput("language must be a BCP 47 tag such as en, fr or sw-KE", field);
  return t;
}

export function defaultLanguage(env: Record<string, string | undefined> = process.env): string {
  const v = env.PAYMENTS_NOTIFY_DEFAULT_LANGUAGE?.trim().toLowerCase();
  return v && LANGUAGE.test(v) ? v : "en";
}

/** The placeholders of a text that are not in PLACEHOLDERS. */
export function unknownPlaceholders(text: string): string[] {
  const known = new Set<string>(PLACEHOLDERS);
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((name) => !known.has(name)))];
}

export function render(text: string, values: TemplateValues): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (name in values ? values[name as keyof TemplateValues] : whole));
}

export interface TemplateInput {
  programCode: string;
  language: string;
  event: NotificationEvent;
  channel: NotificationChannel;
  subject?: string | null;
  body: string;
}

function checkTemplate(input: TemplateInput): TemplateInput {
  const programCode = checkProgram(input.programCode);
  const language = normalizeLanguage(input.language);
  const body = input.body.trim();
  if (!body || body.length > 2000) throw badInput("body must be 1 to 2,000 characters", "body");
  const subject = input.subject?.trim() || null;
  if (input.channel === NotificationChannel.SMS && subject) throw badInput("subject is for EMAIL templates only", "subject");
  if (input.channel === NotificationChannel.EMAIL && (!subject || subject.length > 200)) throw badInput("an EMAIL template needs a subject of 1 to 200 characters", "subject");
  for (const [field, text] of [["subject", subject ?? ""], ["body", body]] as const) {
    const unknown = unknownPlaceholders(text);
    if (unknown.length) {
      throw badInput(`unknown placeholder${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `{${u}}`).join(", ")}; allowed: ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`, field);
    }
  }
  return { ...input, programCode, language, subject, body };
}

/** Creates or replaces the template of (program, language, event, channel); audited. */
export async function setTemplate(em: EntityManager, actor: AuditActor, raw: TemplateInput): Promise<NotificationTemplate> {
  const input = checkTemplate(raw);
  const key = { programCode: input.programCode, language: input.language, event: input.event, channel: input.channel };
  const attempt = () =>
    em.fork().transactional(async (tx) => {
      const existing = await tx.findOne(NotificationTemplate, key);
      const before = existing ? { subject: existing.subject ?? null, body: existing.body } : null;
      const t = existing ?? tx.create(NotificationTemplate, { ...key, body: input.body });
      t.subject = input.subject ?? null;
      t.body = input.body;
      await tx.flush();
      audit(tx, actor, { action: "notification_template.set", entityType: "NotificationTemplate", entityId: t.id, changes: { ...key, before, subject: t.subject, body: t.body } });
      return t;
    });
  try {
    return await attempt();
  } catch (err) {
    // Two first writes of one key at once: the loser updates the winner's row.
    if (!isUniqueViolation(err)) throw err;
    return attempt();
  }
}

export function listTemplates(em: EntityManager, programCode?: string | null): Promise<NotificationTemplate[]> {
  return em.find(NotificationTemplate, programCode ? { programCode } : {}, { orderBy: { programCode: "asc", language: "asc", event: "asc", channel: "asc" } });
}

/** Built-in English texts: the last fallback, so a program without templates still tells its beneficiaries. */
const BUILT_IN: Record<NotificationEvent, { subject: string; body: string }> = {
  [NotificationEvent.COMPLETED]: { subject: "G2P payment sent", body: "G2P payment of {amount} {currency} has been sent to your account. Ref {reference}." },
  [NotificationEvent.FAILED]: {
    subject: "G2P payment could not be completed",
    body: "G2P payment of {amount} {currency} could not be completed. Ref {reference}. Please contact your programme office.",
  },
};

export interface RenderedNotification {
  subject: string | null;
  text: string;
}

/**
 * The templates of one program for the languages a set of payments needs, loaded with one query (the
 * bulk path calls this once per chunk, never per payment), and a renderer over them.
 */
export async function templateRenderer(
  em: EntityManager,
  programCode: string | null | undefined,
  languages: Iterable<string | null | undefined>,
  fallbackLanguage = defaultLanguage(),
): Promise<(event: NotificationEvent, channel: NotificationChannel, language: string | null | undefined, values: TemplateValues) => RenderedNotification> {
  const chain = (language: string | null | undefined) => {
    const tags = language ? [language, language.split("-")[0]!] : [];
    return [...new Set([...tags, fallbackLanguage])];
  };
  const wanted = new Set<string>([fallbackLanguage]);
  for (const l of languages) for (const t of chain(l)) wanted.add(t);
  const found = programCode ? await em.find(NotificationTemplate, { programCode, language: { $in: [...wanted] } }) : [];
  const byKey = new Map(found.map((t) => [`${t.language}|${t.event}|${t.channel}`, t]));
  return (event, channel, language, values) => {
    const t = chain(language)
      .map((l) => byKey.get(`${l}|${event}|${channel}`))
      .find((x) => x);
    const source = t ?? BUILT_IN[event];
    return { subject: channel === NotificationChannel.EMAIL ? render(source.subject ?? BUILT_IN[event].subject, values) : null, text: render(source.body, values) };
  };
}
