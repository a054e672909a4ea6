import fs from 'fs';
import os from 'os';
import path from 'path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const SCREENSHOT_DIR = path.resolve(__dirname, '..', 'test-results');
const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium, headless, no sandbox (root in CI), nothing phoning home, a fresh profile. */
export async function launchChromium(): Promise<{ browser: BrowserContext; close(): Promise<void> }> {
  if (!fs.existsSync(EXECUTABLE)) {
    throw new Error(`${EXECUTABLE} not found: apt-get install chromium (the root test harness installs it)`);
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aihub-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: EXECUTABLE,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser: context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Grafana serves these; the harness cannot (fonts are not in any npm package). */
const HARNESS_GAPS = [/\/public\/fonts\//];

export interface WatchedPage {
  page: Page;
  /** Console errors and uncaught exceptions, minus HTTP failures (those are in `failedRequests`). */
  errors: string[];
  /** Non-proxy requests that failed: missing harness assets or plugin chunks. */
  failedRequests: string[];
}

export async function openPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const watched: WatchedPage = { page, errors: [], failedRequests: [] };
  page.on('console', (msg) => {
    // "Failed to load resource" carries no URL; the response handler below judges those.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      watched.errors.push(msg.text());
    }
  });
  page.on('pageerror', (err) => watched.errors.push(`uncaught: ${err.message}`));
  page.on('response', (res) => {
    const url = res.url();
    if (res.status() >= 400 && !url.includes('/api/plugin-proxy/') && !HARNESS_GAPS.some((re) => re.test(url))) {
      watched.failedRequests.push(`${res.status()} ${url}`);
    }
  });
  return watched;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export type { Browser };
