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
  enable: { url: string; body: string };
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
    return {
      subject: `Callback failed: communication ${context.communicationId} disabled`,
      text: this.text(context),
      html: this.html(context),
    };
  }
}
