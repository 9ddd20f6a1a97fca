/**
 * Debian's Chromium (/usr/bin/chromium, installed by .ci/run with apt-get) driven by playwright-core;
 * never a downloaded browser. Without Chromium the browser tests skip locally and fail in CI.
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../../scripts/chromium.mjs';

export const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`browser tests: ${CHROMIUM} not found (.ci/run installs Debian's chromium)`);
if (!haveChromium) console.warn(`browser tests skipped: ${CHROMIUM} not found (apt-get install chromium)`);

export const launch = (): Promise<Browser> => launchChromium();

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
