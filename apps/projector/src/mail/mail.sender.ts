import { Logger } from '@nestjs/common';
import { storableText } from '@app/contracts';
import { createTransport, type Transporter } from 'nodemailer';
import type { DataSource } from 'typeorm';
import { quoteSchema } from '../database/schema.name';
import { rowFrom } from '../projection/column.types';
import { derivedUuid } from '../projection/projection.ids';
import { SCHEMA } from '../projection/projection.schema';
import { loadFailureContext, type EmailToSend } from './mail.context';
import { MailRenderer } from './mail.renderer';
import { PollingLoop } from '../outbox/polling.loop';

export interface MailSenderOptions {
  smtpUrl: string;
  from: string;
  publicBaseUrl: string;
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Shortest time between two emails about one disable (a follow-up digest, decision 0622). */
  followUpMs: number;
}

/** Delay before retry number `attempts` (1-based): doubling from the base, capped. */
export const mailBackoffMs = (attempts: number, baseMs: number, maxMs: number) =>
  Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));

/**
 * Sends pending notification emails from the outbox table, one row per transaction: the row is
 * locked (SKIP LOCKED, so several instances share the work), sent, then marked `sent` with the
 * digest figures it reported. A failure reschedules it with backoff; a row marked sent is never
 * sent again.
 *
 * The projection writes one email per address per disable. Follow-ups are this worker's: when a
 * disabled communication has failures or cancellations its emails have not reported yet, and the
 * last one went out at least `followUpMs` ago, one more row per address (ids derived from the
 * disable and the sequence number, so two instances cannot both add it).
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
    await this.addFollowUps();
    for (let i = 0; i < 100 && !this.loop.isStopped; i++) {
      if (!(await this.sendOne())) return;
    }
  }

  /** Adds the follow-up digests that are due (see the class comment). */
  async addFollowUps(): Promise<number> {
    const due: {
      communication_id: string;
      cause: string;
      callback_id: string;
      notification_list: string[];
      sequence: number;
    }[] = await this.dataSource.query(
      `SELECT c.communication_id, c.disabled_cause_event_id AS cause, c.disabled_callback_id AS callback_id,
              c.notification_list, max(e.sequence)::int AS sequence
         FROM ${this.s}.communications c
         JOIN ${this.s}.notification_emails e ON e.cause_event_id = c.disabled_cause_event_id
        WHERE c.status = 'disabled' AND c.disabled_cause_event_id IS NOT NULL
        GROUP BY c.communication_id
       HAVING bool_and(e.status = 'sent')
          AND max(coalesce(e.reported_failed, 0) + coalesce(e.reported_cancelled, 0))
              < max(c.disabled_failed + c.disabled_cancelled)
          AND max(e.sent_at) <= now() - ($1 || ' milliseconds')::interval
        LIMIT 100`,
      [String(this.options.followUpMs)],
    );
    let added = 0;
    for (const d of due) {
      const sequence = d.sequence + 1;
      for (const address of new Set(d.notification_list.map((a) => a.toLowerCase()))) {
        const rows: unknown[] = await this.dataSource.query(
          `INSERT INTO ${this.s}.notification_emails
             (email_id, communication_id, callback_id, cause_event_id, to_address, created_at, status, kind, sequence)
           VALUES ($1, $2, $3, $4, $5, now(), 'pending', 'follow-up', $6)
           ON CONFLICT DO NOTHING RETURNING 1`,
          [
            derivedUuid('NotificationFollowUp', d.cause, address, String(sequence)),
            d.communication_id,
            d.callback_id,
            d.cause,
            address,
            sequence,
          ],
        );
        added += rows.length;
      }
    }
    if (added > 0) this.logger.log(`added ${added} follow-up digest email(s)`);
    return added;
  }

  private sendOne(): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      const rows: Record<string, unknown>[] = await em.query(
        `SELECT email_id, communication_id, callback_id, cause_event_id, to_address, created_at, attempts,
                kind, sequence
             FROM ${this.s}.notification_emails
            WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= now())
            ORDER BY created_at, email_id LIMIT 1 FOR UPDATE SKIP LOCKED`,
      );
      if (!rows[0]) return false;
      const email: EmailToSend = rowFrom(SCHEMA.emails, rows[0]);
      try {
        const context = await loadFailureContext(
          this.dataSource,
          this.schema,
          email,
          this.options.publicBaseUrl,
        );
        const { subject, text, html } = this.renderer.render(context);
        await this.transport.sendMail({ to: email.toAddress, subject, text, html });
        await em.query(
          `UPDATE ${this.s}.notification_emails SET status = 'sent', sent_at = now(), attempts = attempts + 1,
                  last_error = NULL, reported_failed = $2, reported_cancelled = $3
            WHERE email_id = $1`,
          [email.emailId, context.digest.failed, context.digest.cancelled],
        );
        this.sentCount += 1;
        this.logger.log({
          message: `sent ${email.kind} notice`,
          emailId: email.emailId,
          communicationId: email.communicationId,
          callbackId: email.callbackId,
        });
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
          [email.emailId, attempts, String(delay), reason],
        );
        this.logger.warn({
          message: `${email.kind} notice not sent (attempt ${attempts}), retry in ${delay} ms: ${reason}`,
          emailId: email.emailId,
          communicationId: email.communicationId,
          callbackId: email.callbackId,
        });
        return false;
      }
      return true;
    });
  }
}
