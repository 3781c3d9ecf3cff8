import { HostLabels } from './host.label';

describe('HostLabels', () => {
  it('given a URL, labels by its host name only, lower-cased', () => {
    expect(new HostLabels().of('https://Hooks.Example.com:8443/a/b?token=x')).toBe('hooks.example.com');
  });

  it('given more hosts than the limit, keeps the first ones and counts later ones as other', () => {
    const labels = new HostLabels(2);
    expect(
      ['http://a.test/', 'http://b.test/', 'http://c.test/', 'http://a.test/x'].map((u) => labels.of(u)),
    ).toEqual(['a.test', 'b.test', 'other', 'a.test']);
  });

  it('given no URL or an unparsable one, says unknown', () => {
    expect(new HostLabels().of(null)).toBe('unknown');
    expect(new HostLabels().of('not a url')).toBe('unknown');
  });
});
