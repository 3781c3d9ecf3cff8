import { Logger } from '@nestjs/common';
import { AppLogger } from './app.logger';
import { levelsUpTo } from '../logging/log.settings';

/** Lines written to stdout and stderr while `fn` runs. */
function captured(fn: () => void): string[] {
  const out: string[] = [];
  const spies = (['stdout', 'stderr'] as const).map((s) =>
    jest.spyOn(process[s], 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    }),
  );
  try {
    fn();
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return out.join('').split('\n').filter(Boolean);
}

describe('AppLogger', () => {
  it('writes one JSON object per line with time, level, service, context, message and the fields', () => {
    // given
    const sut = new AppLogger('dispatcher', { format: 'json', levels: levelsUpTo('info') });
    // when
    const lines = captured(() =>
      sut.warn({ message: 'dead-lettered', eventId: 'e-1', communicationId: 'c-1' }, 'inbound'),
    );
    // then
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(line).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      level: 'warn',
      service: 'dispatcher',
      context: 'inbound',
      message: 'dead-lettered',
      eventId: 'e-1',
      communicationId: 'c-1',
    });
  });

  it('names levels as operators do (info, trace), not as Nest does (log, verbose)', () => {
    // given
    const sut = new AppLogger('ingest', { format: 'json', levels: levelsUpTo('trace') });
    // when
    const lines = captured(() => {
      sut.log('started');
      sut.verbose('detail');
    });
    // then
    expect(lines.map((l) => (JSON.parse(l) as { level: string }).level)).toEqual(['info', 'trace']);
  });

  it('keeps an error stack inside the one line', () => {
    // given
    const sut = new AppLogger('ingest', { format: 'json', levels: levelsUpTo('info') });
    // when
    const lines = captured(() => sut.error('boom', 'Error: boom\n    at somewhere', 'main'));
    // then
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 'error',
      message: 'boom',
      stack: 'Error: boom\n    at somewhere',
    });
  });

  it("prints Nest's start-up narration (modules, routes) at debug", () => {
    // given
    const sut = new AppLogger('ingest', { format: 'json', levels: levelsUpTo('info') });
    // when
    const lines = captured(() => {
      sut.log('Mapped {/health, GET} route', 'RouterExplorer');
      sut.log('listening on http://127.0.0.1:3001', 'ingest');
    });
    // then
    expect(lines.map((l) => (JSON.parse(l) as { context: string }).context)).toEqual(['ingest']);
  });

  it('keeps a stack passed as a field', () => {
    // given
    const sut = new AppLogger('ingest', { format: 'json', levels: levelsUpTo('info') });
    // when
    const [line] = captured(() =>
      sut.fatal({ message: 'failed to start', stack: 'Error: x\n    at y' }, 'main'),
    );
    // then
    expect(JSON.parse(line)).toMatchObject({
      level: 'fatal',
      message: 'failed to start',
      stack: 'Error: x\n    at y',
    });
  });

  it('prints nothing below LOG_LEVEL', () => {
    // given
    const sut = new AppLogger('ingest', { format: 'json', levels: levelsUpTo('warn') });
    // when
    const lines = captured(() => {
      sut.log('quiet');
      sut.debug('quieter');
      sut.warn('loud');
    });
    // then
    expect(lines.map((l) => (JSON.parse(l) as { message: string }).message)).toEqual(['loud']);
  });

  it('in pretty format appends the fields after the message', () => {
    // given
    process.env.NO_COLOR = '1';
    const sut = new AppLogger('projector', { format: 'pretty', levels: levelsUpTo('info') });
    delete process.env.NO_COLOR;
    // when
    const [line] = captured(() => sut.log({ message: 'published', eventId: 'e-1', partition: 2 }, 'relay'));
    // then
    expect(line).toMatch(/\[projector\].* LOG \[relay\] published eventId=e-1 partition=2$/);
  });

  it("serves Nest's static Logger once it is the application's logger", () => {
    // given
    Logger.overrideLogger(new AppLogger('ingest', { format: 'json', levels: levelsUpTo('info') }));
    // when
    const lines = captured(() => new Logger('http').log({ message: 'GET / 200', requestId: 'r-1' }));
    Logger.overrideLogger(true);
    // then
    expect(JSON.parse(lines[0])).toMatchObject({ service: 'ingest', context: 'http', requestId: 'r-1' });
  });
});
