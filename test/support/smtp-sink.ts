// An SMTP server run by the test: records every accepted message (recipient + subject) so a test can count
// deliveries; `holdFirstTo` makes the first RCPT TO an address wait (a worker is then "mid-job").
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  url: string;
  received: Array<{ to: string; subject: string }>;
  /** Resolves when the held recipient's first RCPT TO arrived. */
  held: Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpSink(options: { holdFirstTo?: string; holdMs?: number } = {}): Promise<SmtpSink> {
  const received: SmtpSink['received'] = [];
  let heldOnce = false;
  let markHeld: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    markHeld = resolve;
  });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!heldOnce && address.address === options.holdFirstTo) {
        heldOnce = true;
        markHeld();
        setTimeout(() => callback(), options.holdMs ?? 60_000);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => {
        raw += chunk.toString();
      });
      stream.on('end', () => {
        const subject = /^Subject: (.*)$/m.exec(raw)?.[1] ?? '';
        for (const to of session.envelope.rcptTo) received.push({ to: to.address, subject });
        callback();
      });
    },
  });
  server.on('error', () => {}); // a worker killed mid-session resets its connection
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    held,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
