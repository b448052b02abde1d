import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { demoCode } from '@credit-gateway/sources';
import { startStack, type Stack } from './support/stack.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is required at ${CHROMIUM} (Debian package 'chromium'); .ci/run installs it`);
  stack = await startStack();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // No name resolves: a reference to any CDN fails even before the request filter below.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('GraphiQL in a closed network', () => {
  it('loads with every outside request blocked, runs a query and browses the schema docs', async () => {
    const context = await browser.newContext();
    const gatewayOrigin = new URL(stack.gatewayUrl).origin;
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

    const query =
      'query Check($code: CreditCode!) { enterprise(code: $code) { code marketRegulation { registration { name } } } }';
    const url = new URL('/graphql', stack.gatewayUrl);
    url.searchParams.set('query', query);
    url.searchParams.set('variables', JSON.stringify({ code: demoCode('clean-sme') }));
    // Analysts paste their token into the headers editor; the schema docs need it (introspection).
    url.searchParams.set(
      'headers',
      JSON.stringify({ Authorization: `Bearer ${await stack.token('ANALYST', 'analyst-workbench')}` }),
    );
    await page.goto(url.toString(), { waitUntil: 'load' });

    await page.locator('.graphiql-execute-button').click();
    await expect
      .poll(() => page.locator('.graphiql-response').innerText(), { timeout: 20_000 })
      .toContain('重庆清泉精密机械有限公司');

    await page.getByLabel('Show Documentation Explorer').click();
    await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().click();
    await expect
      .poll(() => page.locator('.graphiql-doc-explorer').innerText(), { timeout: 10_000 })
      .toContain('enterprise');
    await page
      .locator('.graphiql-doc-explorer a', { hasText: /^enterprise$/ })
      .first()
      .click();
    await expect
      .poll(() => page.locator('.graphiql-doc-explorer').innerText(), { timeout: 10_000 })
      .toContain('统一社会信用代码');

    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
