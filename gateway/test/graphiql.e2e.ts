import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { demoCode } from '@credit-gateway/sources';
import { closedTab, launchClosedBrowser } from './support/browser.js';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchClosedBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('GraphiQL in a closed network', () => {
  it('loads with every outside request blocked, runs a query and browses the schema docs', async () => {
    const { context, page, outside, problems } = await closedTab(browser, stack.gatewayUrl);

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
