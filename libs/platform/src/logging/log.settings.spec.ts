import { levelsUpTo, logSettingsFrom } from './log.settings';

describe('logSettingsFrom', () => {
  it('defaults to pretty on a terminal and json anywhere else (pipes, containers)', () => {
    expect(logSettingsFrom({}, true)).toEqual({ format: 'pretty', level: 'info' });
    expect(logSettingsFrom({}, false)).toEqual({ format: 'json', level: 'info' });
  });

  it('takes LOG_FORMAT and LOG_LEVEL as given', () => {
    expect(logSettingsFrom({ LOG_FORMAT: 'pretty', LOG_LEVEL: 'debug' }, false)).toEqual({
      format: 'pretty',
      level: 'debug',
    });
  });

  it('falls back to the defaults on a bad value (the service configuration check reports it)', () => {
    expect(logSettingsFrom({ LOG_FORMAT: 'xml', LOG_LEVEL: 'loud' }, false)).toEqual({
      format: 'json',
      level: 'info',
    });
  });
});

describe('levelsUpTo', () => {
  it('enables a level and every more severe one', () => {
    expect(levelsUpTo('warn')).toEqual(['fatal', 'error', 'warn']);
    expect(levelsUpTo('trace')).toHaveLength(6);
  });
});
