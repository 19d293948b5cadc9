import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, renderEmail } from '../../src/core/mail.js';

const message = renderEmail('casey@example.com', {
  subject: 'Verify your email',
  greeting: 'Hi Casey <3,',
  paragraphs: ['Please confirm your address.'],
  action: { label: 'Verify', url: 'https://shop.test/verify?token=abc&x=1' },
});

describe('email rendering', () => {
  it('renders the same content as plain text and escaped HTML', () => {
    expect(message.text).toContain('Verify: https://shop.test/verify?token=abc&x=1');
    expect(message.html).toContain('href="https://shop.test/verify?token=abc&amp;x=1"');
    expect(message.html).toContain('Hi Casey &lt;3,');
  });
});

describe('file mailer (embedded default)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emporium-mail-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('writes each message as an .eml file under DATA_DIR/mail', async () => {
    const mailer = createMailer({ from: 'Shop <shop@example.com>', dataDir });
    await mailer.send(message);
    const files = fs.readdirSync(path.join(dataDir, 'mail'));
    expect(files).toHaveLength(1);
    const parsed = await simpleParser(fs.readFileSync(path.join(dataDir, 'mail', files[0] as string)));
    expect(parsed.subject).toBe('Verify your email');
    expect(parsed.text).toContain('token=abc');
    expect(parsed.html).toContain('<a href=');
  });
});

describe('SMTP mailer (SMTP_URL)', () => {
  const received: { from: string; to: string[]; raw: string }[] = [];
  let server: SMTPServer;
  let port: number;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk) => (raw += chunk));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('delivers through the SMTP server named by SMTP_URL', async () => {
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'Shop <shop@example.com>', dataDir: os.tmpdir() });
    await mailer.send(message);
    mailer.close();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ from: 'shop@example.com', to: ['casey@example.com'] });
    const parsed = await simpleParser(received[0]?.raw as string);
    expect(parsed.subject).toBe('Verify your email');
    expect(parsed.text).toContain('token=abc');
  });
});
