/**
 * A simulated e-mail gateway (payments' notification outbox, EMAIL rows): the shared message gateway
 * (`../message-gateway.ts`) on `POST /email { messageId, to, subject, text }`, keeping the
 * Idempotency-Key header of each message so tests can check it equals the messageId.
 */
import { startMessageGateway, str, type MessageGateway, type MessageGatewayFaults } from "../message-gateway";

export interface EmailMessage {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  /** The Idempotency-Key header, which must equal messageId. */
  idempotencyKey: string | null;
  receivedAt: Date;
}

export type EmailGatewayFaults = MessageGatewayFaults;
export type EmailGateway = MessageGateway<EmailMessage>;

export function startEmailGateway(initial: EmailGatewayFaults = {}): Promise<EmailGateway> {
  return startMessageGateway<EmailMessage>(
    {
      path: "/email",
      noun: "e-mail",
      parse(body, req) {
        const [messageId, to, subject, text] = [str(body.messageId), str(body.to), str(body.subject), str(body.text)];
        if (!messageId || !to || !subject || !text) return "messageId, to, subject and text are required";
        const header = req.headers["idempotency-key"];
        return { messageId, to, subject, text, idempotencyKey: typeof header === "string" ? header : null, receivedAt: new Date() };
      },
    },
    initial,
  );
}
