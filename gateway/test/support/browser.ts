import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium, which .ci/run installs; CHROMIUM_PATH names another. */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * Headless Chromium in a closed network: no name resolves, so a page that reaches for a CDN fails
 * even before a tab's request filter sees it. Missing Chromium fails the test, never skips it.
 */
export async function launchClosedBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is required at ${CHROMIUM} (Debian package 'chromium'); .ci/run installs it`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
}

export interface ClosedTab {
  context: BrowserContext;
  page: Page;
  /** Every request the page made to anywhere but the gateway: each was aborted. */
  outside: string[];
  /** Console errors and uncaught exceptions of the page. */
  problems: string[];
}

/** A tab that may reach the gateway's origin only; every other request is aborted and recorded. */
export async function closedTab(
  browser: Browser,
  gatewayUrl: string,
  viewport?: { width: number; height: number },
): Promise<ClosedTab> {
  const context = await browser.newContext(viewport ? { viewport } : {});
  const gatewayOrigin = new URL(gatewayUrl).origin;
  const outside: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === gatewayOrigin) return route.continue();
    outside.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return { context, page, outside, problems };
}
