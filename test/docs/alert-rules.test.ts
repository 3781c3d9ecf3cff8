import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * Keeps the shipped Prometheus rules true to the code: every metric an alert reads is one a
 * service registers (or the Kafka exporter's lag), and docs/operations.md explains every alert.
 */
const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

interface Rule {
  alert: string;
  expr: string;
}

describe('alert rules (deploy/prometheus)', () => {
  const rules = (
    parse(read('deploy/prometheus/dispatch-callbacks.rules.yml')) as { groups: { rules: Rule[] }[] }
  ).groups.flatMap((g) => g.rules);
  const code = [...sources('apps'), ...sources('libs')].map(read).join('\n');

  it('cover lag, parked records, disables per hour, outbox age and the error rate per host', () => {
    const exprs = rules.map((r) => r.expr).join('\n');
    for (const metric of [
      'kafka_consumergroup_lag',
      'records_parked_total',
      'projector_communications_disabled_total',
      'projector_outbox_oldest_seconds',
      'dispatcher_callback_attempts_by_host_total',
    ])
      expect(exprs).toContain(metric);
  });

  it('read only metrics the services register (besides the Kafka exporter)', () => {
    const used = new Set(
      rules.flatMap((r) => r.expr.match(/\b(?:dispatcher|projector|ingest|records|kafka)_[a-z0-9_]+/g) ?? []),
    );
    const unknown = [...used]
      .map((m) => m.replace(/_(bucket|sum|count)$/, ''))
      .filter((m) => m !== 'kafka_consumergroup_lag' && !code.includes(`name: '${m}'`));
    expect(unknown).toEqual([]);
  });

  it('are each explained in docs/operations.md', () => {
    const doc = read('docs/operations.md');
    expect(rules.map((r) => r.alert).filter((a) => !doc.includes(a))).toEqual([]);
  });
});
