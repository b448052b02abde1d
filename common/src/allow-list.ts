import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { normalizeCreditCode } from './identifiers/credit-code.js';
import type { CreditCodePolicy } from './scalars.js';

/** The allow-list shipped with the product: legally issued codes that fail the check characters. */
export const DEFAULT_ALLOW_LIST_FILE = fileURLToPath(
  new URL('../../config/credit-code-allowlist.txt', import.meta.url),
);

/** One code per line; `#` starts a comment that says who issued the code and why it is kept. */
export function loadCreditCodePolicy(file: string = DEFAULT_ALLOW_LIST_FILE): CreditCodePolicy {
  const allowList = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const code = normalizeCreditCode(line.replace(/#.*/, ''));
    if (code !== '') allowList.add(code);
  }
  return { allowList };
}
