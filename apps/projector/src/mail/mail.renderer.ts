import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a failure email shows. Built from projection rows; it never holds a credential. */
export interface FailureEmailContext {
  communicationId: string;
  campaignId: string | null;
  campaignMode: string | null;
  status: string;
  disabledAt: string | null;
  disabledReason: string | null;
  failedAt: string;
  callback: {
    callbackId: string;
    triggerType: string;
    method: string;
    url: string;
    messageId: string | null;
  };
  attempts: { attempt: number; startedAt: string; durationMs: number; result: string }[];
  /** The receiver said 410 Gone on the last attempt: the endpoint no longer exists. */
  gone: boolean;
  /** What happened to the communication's other callbacks since the disable (decision 0622). */
  digest: {
    failed: number;
    cancelled: number;
    /** A follow-up: what is new since the previous email about this disable. */
    followUp: { sequence: number; newFailed: number; newCancelled: number } | null;
  };
  /** The communication's page in the operator console (PUBLIC_BASE_URL + /console/...). */
  consoleUrl: string;
  enable: { url: string; body: string };
  /** After re-enabling: resend what failed or was cancelled since the disable. */
  recover: { url: string; body: string };
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** Template files sit next to this file in the source tree and in the build (nest-cli assets). */
const templatePath = (name: string) => join(__dirname, 'templates', name);

/** Renders notification emails from the handlebars files (text without, HTML with escaping). */
export class MailRenderer {
  private readonly text = Handlebars.create().compile(
    readFileSync(templatePath('callback-failed.text.hbs'), 'utf8'),
    {
      noEscape: true,
      strict: true,
    },
  );
  private readonly html = Handlebars.create().compile(
    readFileSync(templatePath('callback-failed.html.hbs'), 'utf8'),
    {
      strict: true,
    },
  );

  render(context: FailureEmailContext): RenderedEmail {
    const followUp = context.digest.followUp;
    return {
      subject: followUp
        ? `Still disabled: communication ${context.communicationId} (${followUp.newFailed} more failed, ${followUp.newCancelled} more cancelled)`
        : `Callback failed: communication ${context.communicationId} disabled`,
      text: this.text(context),
      html: this.html(context),
    };
  }
}
