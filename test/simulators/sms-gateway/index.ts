/**
 * A simulated SMS gateway (identity's OTP outbox, payments' notifications): the shared message
 * gateway (`../message-gateway.ts`) on `POST /sms { messageId, to, text }`, plus the OTP helpers the
 * identity tests read codes with.
 */
import { startMessageGateway, str, type MessageGateway, type MessageGatewayFaults } from "../message-gateway";

export interface SmsMessage {
  messageId: string;
  to: string;
  text: string;
  receivedAt: Date;
}

export type SmsGatewayFaults = MessageGatewayFaults;

export interface SmsGateway extends MessageGateway<SmsMessage> {
  /** How many messages went to `to` so far. */
  countTo(to: string): number;
  /** The 6-digit code of the (n+1)-th message to `to`, n = `countTo(to)` before the request. */
  otpFor(to: string, n: number, timeoutMs?: number): Promise<string>;
}

export async function startSmsGateway(initial: SmsGatewayFaults = {}): Promise<SmsGateway> {
  const core = await startMessageGateway<SmsMessage>(
    {
      path: "/sms",
      noun: "SMS",
      parse(body) {
        const [messageId, to, text] = [str(body.messageId), str(body.to), str(body.text)];
        if (!messageId || !to || !text) return "messageId, to and text are required";
        return { messageId, to, text, receivedAt: new Date() };
      },
    },
    initial,
  );
  const countTo = (to: string) => core.messages.filter((m) => m.to === to).length;
  return Object.assign(core, {
    countTo,
    async otpFor(to: string, n: number, timeoutMs?: number) {
      const msg = await core.waitFor((m) => m.to === to && core.messages.filter((x) => x.to === to).indexOf(m) >= n, timeoutMs);
      const code = /\b(\d{6})\b/.exec(msg.text)?.[1];
      if (!code) throw new Error(`no OTP in SMS: ${msg.text}`);
      return code;
    },
  });
}
