import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dispatcherConfigSchema } from '../../apps/dispatcher/src/config/dispatcher.config';
import { ingestEnvSchema } from '../../apps/ingest/src/config/ingest.config';
import { projectorEnvSchema } from '../../apps/projector/src/config/projector.config';

/**
 * Keeps the configuration docs true to the code: every environment variable an app reads is in
 * its docs page's table, and the docs name no variable the app does not read.
 */
const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

const apps = [
  { app: 'ingest', doc: 'docs/ingest.md', keys: Object.keys(ingestEnvSchema.shape) },
  { app: 'dispatcher', doc: 'docs/dispatcher.md', keys: Object.keys(dispatcherConfigSchema.shape) },
  { app: 'projector', doc: 'docs/projector.md', keys: Object.keys(projectorEnvSchema.shape) },
];

/** Variable names in the first column of the doc's "Configuration" table. */
function documentedVariables(markdown: string): string[] {
  const section = markdown.split(/^## Configuration\s*$/m)[1]?.split(/^## /m)[0] ?? '';
  return section
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .flatMap((l) => (l.split('|')[1] ?? '').match(/[A-Z][A-Z0-9_]{2,}/g) ?? []);
}

describe('configuration documentation', () => {
  it.each(apps)('lists every variable $app reads, and only those, in $doc', ({ doc, keys }) => {
    const documented = new Set(documentedVariables(read(doc)));
    expect(keys.filter((k) => !documented.has(k))).toEqual([]);
    expect([...documented].filter((d) => !keys.includes(d))).toEqual([]);
  });

  it(".env.example names every variable of every app, and only those besides npm start's own", () => {
    const named = new Set(
      read('.env.example')
        .split('\n')
        .flatMap((l) => /^#? ?([A-Z][A-Z0-9_]+)=/.exec(l)?.[1] ?? []),
    );
    const readByApps = new Set(apps.flatMap((a) => a.keys));
    const stackOnly = ['INGEST_PORT', 'DISPATCHER_PORT', 'PROJECTOR_PORT', 'MAIL_CATCHER_PORT', 'KAFKA_PORT'];
    const brokerScript = ['KAFKA_CONTROLLER_PORT', 'KAFKA_HOME'];
    for (const k of stackOnly) expect(read('scripts/stack.mjs')).toContain(k);
    for (const k of brokerScript) expect(read('scripts/kafka.sh')).toContain(k);
    expect([...readByApps].filter((k) => !named.has(k))).toEqual([]);
    expect(
      [...named].filter((k) => !readByApps.has(k) && ![...stackOnly, ...brokerScript].includes(k)),
    ).toEqual([]);
  });

  it('README links every app configuration page', () => {
    const readme = read('README.md');
    for (const { doc } of apps) expect(readme).toContain(`](${doc}`);
  });
});
