/** Types of scripts/chromium.mjs. */
import type { Browser } from 'playwright-core';
export const CHROMIUM: string;
export function launchChromium(args?: string[]): Promise<Browser>;
