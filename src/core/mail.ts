// Outgoing email through nodemailer: SMTP when SMTP_URL is set, otherwise every message is written as an
// .eml file under DATA_DIR/mail/ (the embedded default, and what tests read back).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { type Db, queryRows } from './db.js';
import { sentEmails } from './mail.tables.js';
import { persist } from './resilience.js';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  kind: 'smtp' | 'file';
  /** Directory of .eml files (file mailer only). */
  directory?: string;
  send(message: EmailMessage): Promise<void>;
  close(): void;
}

/** nodemailer's transport, made on the first send (an API process that never sends mail doesn't load it). */
function lazyTransport(options: string | Record<string, unknown>) {
  let transport: Transporter | undefined;
  return {
    async get(): Promise<Transporter> {
      const { default: nodemailer } = await import('nodemailer');
      transport ??= nodemailer.createTransport(options);
      return transport;
    },
    close: () => transport?.close(),
  };
}

export function createMailer(options: { smtpUrl?: string; from: string; dataDir: string }): Mailer {
  if (options.smtpUrl) {
    const transport = lazyTransport(options.smtpUrl);
    return {
      kind: 'smtp',
      async send(message) {
        await (await transport.get()).sendMail({ from: options.from, ...message });
      },
      close: transport.close,
    };
  }
  const directory = path.join(options.dataDir, 'mail');
  const transport = lazyTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'file',
    directory,
    async send(message) {
      const info = await (await transport.get()).sendMail({ from: options.from, ...message });
      await fs.mkdir(directory, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`;
      await fs.writeFile(path.join(directory, name), info.message as Buffer);
    },
    close: transport.close,
  };
}

/**
 * Sends an email at most once per `key` (e.g. `<job id>:<recipient>`) as far as the database can tell: a
 * key already recorded is skipped, and the record is written right after the mail server accepted the
 * message, retrying through a database blip. What stays at-least-once: a process killed between the
 * server's "250 OK" and that write, or an SMTP reply lost on the wire. `build` runs only when a send is
 * due (it may mint tokens). Returns whether a message was sent.
 */
export async function sendMailOnce(
  deps: { db: Db; mailer: Mailer; log: Logger },
  key: string,
  build: () => Promise<EmailMessage | undefined>,
): Promise<boolean> {
  const seen = await queryRows<{ key: string }>(deps.db, sql`SELECT key FROM sent_emails WHERE key = ${key}`);
  if (seen.length > 0) {
    deps.log.info({ mailKey: key }, 'email already sent; not sending it again');
    return false;
  }
  const message = await build();
  if (!message) return false;
  await deps.mailer.send(message);
  await persist(() => deps.db.insert(sentEmails).values({ key }).onConflictDoNothing(), 60_000, deps.log, 'sent email');
  return true;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export interface EmailContent {
  subject: string;
  greeting: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  footer?: string;
}

/** Renders one plain-text and one HTML body from the same content, so the two never drift apart. */
export function renderEmail(to: string, content: EmailContent): EmailMessage {
  const text = [
    content.greeting,
    '',
    ...content.paragraphs.flatMap((p) => [p, '']),
    ...(content.action ? [`${content.action.label}: ${content.action.url}`, ''] : []),
    content.footer ?? '— Emporium',
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">
<p>${escapeHtml(content.greeting)}</p>
${content.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${content.action ? `<p><a href="${escapeHtml(content.action.url)}">${escapeHtml(content.action.label)}</a></p>` : ''}
<p style="color:#666">${escapeHtml(content.footer ?? '— Emporium')}</p>
</body></html>`;
  return { to, subject: content.subject, text, html };
}
