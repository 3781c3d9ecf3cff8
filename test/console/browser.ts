import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core (nothing downloaded: `npx playwright install` cannot
 * run here, decision 0722). CHROMIUM_PATH overrides `which chromium`.
 */
export function chromiumPath(): string {
  const given = process.env.CHROMIUM_PATH;
  if (given) return given;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'no chromium on PATH: install it (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH',
    );
  }
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A browser with a fresh profile directory, removed on close. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'console-browser-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    timeout: 60_000,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const root = path.resolve(__dirname, '../..');
/** Test artefacts; with CONSOLE_SCREENSHOTS=docs the README's images are written too. */
export const ARTEFACTS = path.join(root, '.local', 'console-screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTEFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTEFACTS, `${name}.png`), fullPage: false });
  if (process.env.CONSOLE_SCREENSHOTS === 'docs') {
    const docs = path.join(root, 'docs', 'images');
    if (!existsSync(docs)) mkdirSync(docs, { recursive: true });
    await page.screenshot({ path: path.join(docs, `console-${name}.png`), fullPage: false });
  }
}
