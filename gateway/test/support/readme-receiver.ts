/**
 * The webhook receiver the README shows, taken from the README itself, so that a test runs the
 * very code departments copy.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KeyObject } from 'node:crypto';

export type CheckDelivery = (
  delivery: { method: string; url: string; headers: Record<string, unknown>; body: Buffer },
  publicKey: KeyObject,
  maxAgeSeconds?: number,
) => boolean;

export async function readmeReceiver(): Promise<{ checkDelivery: CheckDelivery; dir: string }> {
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Push to departments by webhook'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('The README shows no receiver');
  const dir = await mkdtemp(join(tmpdir(), 'readme-receiver-'));
  const file = join(dir, 'receiver.mjs');
  await writeFile(file, code);
  const module = (await import(pathToFileURL(file).href)) as { checkDelivery: CheckDelivery };
  return { checkDelivery: module.checkDelivery, dir };
}
