export interface MailMessage {
  /** `addr@example.com` or `Display Name <addr@example.com>`. */
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  /** Extra headers such as List-Unsubscribe; names are validated, values stripped of CR/LF/NUL. */
  headers?: Record<string, string>;
  /** Stable key for this message (e.g. digest id), used in outbox file names. */
  messageKey?: string;
}

export interface Mailer {
  send(msg: MailMessage): Promise<{ messageId: string }>;
}
