import { Logger } from '@nestjs/common';
import { storableText } from '@app/contracts';
import { createTransport, type Transporter } from 'nodemailer';
import type { DataSource } from 'typeorm';
import { quoteSchema } from '../database/schema-name';
import { loadFailureContext } from './mail.context';
import { MailRenderer } from './mail.renderer';
import { PollingLoop } from '../outbox/polling.loop';

export interface MailSenderOptions {
  smtpUrl: string;
  from: string;
  publicBaseUrl: string;
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/** Delay before retry number `attempts` (1-based): doubling from the base, capped. */
export const mailBackoffMs = (attempts: number, baseMs: number, maxMs: number) =>
  Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));

/**
 * Sends pending notification emails from the outbox table, one row per transaction: the row is
 * locked (SKIP LOCKED, so several instances share the work), sent, then marked `sent`. A failure
 * reschedules it with backoff; a row marked sent is never sent again.
 */
export class MailSender {
  private readonly logger = new Logger('mail');
  private readonly s: string;
  private readonly transport: Transporter;
  private readonly renderer = new MailRenderer();
  private readonly loop: PollingLoop;
  sentCount = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    private readonly options: MailSenderOptions,
  ) {
    this.s = quoteSchema(schema);
    this.loop = new PollingLoop('mail', options.pollMs, this.logger, () => this.drain());
    this.transport = createTransport(options.smtpUrl, { from: options.from });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    this.transport.close();
  }

  /** Sends due emails until none is due (bounded per pass). */
  async drain(): Promise<void> {
    for (let i = 0; i < 100 && !this.loop.isStopped; i++) {
      if (!(await this.sendOne())) return;
    }
  }

  private sendOne(): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      const rows: {
        email_id: string;
        communication_id: string;
        callback_id: string;
        to_address: string;
        created_at: Date;
        attempts: number;
      }[] = await em.query(
        `SELECT email_id, communication_id, callback_id, to_address, created_at, attempts
             FROM ${this.s}.notification_emails
            WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= now())
            ORDER BY created_at, email_id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      );
      const email = rows[0];
      if (!email) return false;
      try {
        const context = await loadFailureContext(
          this.dataSource,
          this.schema,
          email,
          this.options.publicBaseUrl,
        );
        const { subject, text, html } = this.renderer.render(context);
        await this.transport.sendMail({ to: email.to_address, subject, text, html });
        await em.query(
          `UPDATE ${this.s}.notification_emails SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL
            WHERE email_id = $1`,
          [email.email_id],
        );
        this.sentCount += 1;
        this.logger.log(`sent failure notice ${email.email_id} for communication ${email.communication_id}`);
      } catch (e) {
        const attempts = email.attempts + 1;
        const delay = mailBackoffMs(attempts, this.options.retryBaseMs, this.options.retryMaxMs);
        const err = e as { code?: string; message?: string };
        // nodemailer errors name the failing step; the SMTP URL (which may hold a password) is not logged.
        const reason = storableText(`${err.code ?? 'error'}: ${String(err.message ?? e).slice(0, 300)}`);
        await em.query(
          `UPDATE ${this.s}.notification_emails
              SET attempts = $2, next_attempt_at = now() + ($3 || ' milliseconds')::interval, last_error = $4
            WHERE email_id = $1`,
          [email.email_id, attempts, String(delay), reason],
        );
        this.logger.warn(
          `email ${email.email_id} not sent (attempt ${attempts}), retry in ${delay} ms: ${reason}`,
        );
        return false;
      }
      return true;
    });
  }
}
