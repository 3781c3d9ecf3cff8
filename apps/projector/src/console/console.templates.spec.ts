import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleRenderer } from './console.renderer';

const dir = join(__dirname, 'templates');
const templates = readdirSync(dir).filter((f) => f.endsWith('.hbs'));

describe('the console templates', () => {
  it.each(templates)(
    '%s escapes everything: no triple-stash, no inline script, style or event handler',
    (file) => {
      const source = readFileSync(join(dir, file), 'utf8');
      expect(source).not.toContain('{{{');
      expect(source).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
    },
  );

  it('renders a value from a producer as text', () => {
    const sut = new ConsoleRenderer();
    const html = sut.render('error', {
      title: '<b>x</b>',
      status: 404,
      message: '<img src=x onerror=alert(1)>',
    });
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).not.toContain('<img');
  });
});
