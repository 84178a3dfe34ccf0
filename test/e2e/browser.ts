/**
 * Browser helpers for the end-to-end suite: Debian's Chromium driven by playwright-core (no
 * browser download), a fresh context per test, and a screenshot of every open page when a test
 * fails (test/e2e/screenshots/, gitignored).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(__dirname, 'screenshots');

/** Flags that keep Chromium off the network and quiet on this machine (see the machine notes). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--ignore-certificate-errors',
];

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (scripts/test-e2e.sh does: apt-get install -y chromium)`);
  }
  // playwright-core gives every launch a fresh, empty user-data dir.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

export async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  return context;
}

/** Saves a screenshot of every page of the contexts, named after the test. */
export async function screenshotAll(testName: string, contexts: BrowserContext[]): Promise<string[]> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const base = testName.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 80);
  const files: string[] = [];
  let i = 0;
  for (const context of contexts) {
    for (const page of context.pages()) {
      const file = path.join(SCREENSHOT_DIR, `${base}-${++i}.png`);
      try {
        await page.screenshot({ path: file, fullPage: true, timeout: 5_000 });
        files.push(file);
      } catch {
        // page already gone
      }
    }
  }
  return files;
}

/**
 * A test with its own browser context(s); on failure, screenshots of every open page are saved
 * and their paths added to the error message. Contexts are closed afterwards either way.
 */
export function browserTest(
  getBrowser: () => Browser,
  name: string,
  fn: (ctx: { newContext: () => Promise<BrowserContext> }) => Promise<void>,
  timeoutMs = 120_000,
): void {
  test(name, async () => {
    const contexts: BrowserContext[] = [];
    const make = async (): Promise<BrowserContext> => {
      const c = await newContext(getBrowser());
      contexts.push(c);
      return c;
    };
    try {
      await fn({ newContext: make });
    } catch (e) {
      const files = await screenshotAll(name, contexts);
      if (e instanceof Error && files.length > 0) e.message += `\nscreenshots: ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}`;
      throw e;
    } finally {
      for (const c of contexts) await c.close().catch(() => undefined);
    }
  }, timeoutMs);
}

/** The sign-in form of the local hosted UI (IdP stand-in): fill and submit, wait for `expectUrl`. */
export async function submitSignIn(page: Page, username: string, password: string, expectUrl?: string | RegExp): Promise<void> {
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  if (expectUrl === undefined) {
    await page.locator('button[type=submit]').click();
    return;
  }
  await Promise.all([page.waitForURL(expectUrl, { waitUntil: 'load' }), page.locator('button[type=submit]').click()]);
}
