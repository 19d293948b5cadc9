// Reads back the emails an app wrote as .eml files (the file mailer every test app uses).
import fs from 'node:fs/promises';
import path from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import type { App } from '../../src/core/module.js';

export interface SentMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Every message sent so far, oldest first. */
export async function sentMails(app: App): Promise<SentMail[]> {
  const directory = app.ctx.mailer.directory;
  if (!directory) throw new Error('the test app has no file mailer');
  const names = await fs.readdir(directory).catch(() => [] as string[]);
  const mails: SentMail[] = [];
  for (const name of names.filter((n) => n.endsWith('.eml')).sort()) {
    const parsed: ParsedMail = await simpleParser(await fs.readFile(path.join(directory, name)));
    const to = Array.isArray(parsed.to) ? parsed.to[0]?.text : parsed.to?.text;
    mails.push({ to: to ?? '', subject: parsed.subject ?? '', text: parsed.text ?? '', html: String(parsed.html || '') });
  }
  return mails;
}

/** Messages to one address, oldest first. */
export async function mailsTo(app: App, email: string): Promise<SentMail[]> {
  return (await sentMails(app)).filter((m) => m.to.toLowerCase().includes(email.toLowerCase()));
}

/** The `token` query parameter of the first link in a message's text. */
export function tokenFromMail(mail: SentMail): string {
  const match = /https?:\/\/\S+\?token=([\w%-]+)/.exec(mail.text);
  if (!match?.[1]) throw new Error(`no token link in mail "${mail.subject}"`);
  return decodeURIComponent(match[1]);
}
