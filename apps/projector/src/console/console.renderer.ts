import Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Template files sit next to this file in the source tree and in the build (nest-cli assets). */
const TEMPLATES = join(__dirname, 'templates');

export type ConsolePage =
  'login' | 'communications' | 'communication' | 'message' | 'batch' | 'failures' | 'error';

/** `2026-11-30 10:00:05Z`: one format for every time the console shows (always UTC). */
function shortTime(v: unknown): string {
  const d = v instanceof Date ? v : typeof v === 'string' ? new Date(v) : null;
  if (!d || Number.isNaN(d.getTime())) return '';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/**
 * Renders the console's pages from the handlebars files with HTML escaping on (decision 0720):
 * `{{value}}` only, never the unescaped triple-stash (a spec reads every template to keep it so),
 * so data from producers and receivers is always text.
 */
export class ConsoleRenderer {
  private readonly hbs = Handlebars.create();
  private readonly pages = new Map<string, Handlebars.TemplateDelegate>();

  constructor() {
    this.hbs.registerHelper('time', shortTime);
    this.hbs.registerHelper('enc', (v: unknown) => encodeURIComponent(String(v ?? '')));
    this.hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    this.hbs.registerHelper('json', (v: unknown) => JSON.stringify(v));
    for (const file of readdirSync(TEMPLATES)) {
      if (!file.endsWith('.hbs')) continue;
      const name = file.slice(0, -'.hbs'.length);
      const source = readFileSync(join(TEMPLATES, file), 'utf8');
      if (name.startsWith('_')) this.hbs.registerPartial(name.slice(1), source);
      else this.pages.set(name, this.hbs.compile(source, { strict: false }));
    }
  }

  render(page: ConsolePage, model: object): string {
    const template = this.pages.get(page);
    if (!template) throw new Error(`no console template ${page}`);
    return template(model);
  }
}
