/**
 * Debian's Chromium (/usr/bin/chromium, installed by .ci/run with apt-get) driven by playwright-core;
 * never a downloaded browser. Without Chromium the browser tests skip locally and fail in CI.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.WASMGRAD_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`browser tests: ${CHROMIUM} not found (.ci/run installs Debian's chromium)`);
if (!haveChromium) console.warn(`browser tests skipped: ${CHROMIUM} not found (apt-get install chromium)`);

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // The background-networking flags keep Chromium from calling home on a closed network.
    args: [
      '--no-sandbox',
      '--headless=new',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page whose uncaught errors and console errors fail the test that reads `errors`. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  return { page, errors };
}
