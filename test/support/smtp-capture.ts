import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  from: string;
  to: string[];
  /** The whole message as received (headers and MIME body). */
  raw: string;
  subject: string;
  /** `raw` with quoted-printable soft breaks and escapes undone, for searching text in it. */
  text: string;
}

const MAX_MAIL_BYTES = 1024 * 1024;

/** Undoes quoted-printable (soft line breaks, `=XX`) so assertions can search plain text. */
export function decodeQuotedPrintable(raw: string): string {
  const joined = raw.replace(/=\r?\n/g, '');
  return Buffer.from(
    joined.replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');
}

/** A real SMTP server on 127.0.0.1 (port 0) that accepts every message and keeps it. */
export class SmtpCapture {
  readonly mails: CapturedMail[] = [];
  private readonly server: SMTPServer;

  private constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: MAX_MAIL_BYTES,
      onData: (stream, session, done) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const text = decodeQuotedPrintable(raw);
          this.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            subject: /^Subject: (.*)$/im.exec(raw)?.[1]?.trim() ?? '',
            text,
          });
          done();
        });
      },
    });
  }

  static async start(): Promise<SmtpCapture> {
    const c = new SmtpCapture();
    await new Promise<void>((resolve, reject) => {
      c.server.once('error', reject);
      c.server.listen(0, '127.0.0.1', () => resolve());
    });
    return c;
  }

  get url(): string {
    const { port } = this.server.server.address() as AddressInfo;
    return `smtp://127.0.0.1:${port}`;
  }

  /** Mails whose envelope recipients include `address`. */
  to(address: string): CapturedMail[] {
    return this.mails.filter((m) => m.to.includes(address));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
