// Debian's Chromium (/usr/bin/chromium, or WASMGRAD_CHROMIUM) driven by playwright-core, for the
// browser tests and the browser bench; never a downloaded browser.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.WASMGRAD_CHROMIUM ?? '/usr/bin/chromium';

/** Headless Chromium with `args` added; the background-networking flags keep it from calling home on a closed network. */
export function launchChromium(args = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless=new',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...args,
    ],
  });
}
