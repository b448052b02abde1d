/**
 * The receiver shown in the README: how a department checks a webhook delivery with node:crypto
 * alone. Kept here, typed, so that a test runs the very code the README shows.
 */
import { createHash, verify, type KeyObject } from 'node:crypto';

type Headers = Record<string, string | string[] | undefined>;

export function checkDelivery(
  { method, url, headers, body }: { method: string; url: string; headers: Headers; body: Buffer },
  publicKey: KeyObject,
  maxAgeSeconds = 300,
): boolean {
  const h = (name: string) => String(headers[name] ?? '');
  const params = h('signature-input').replace(/^credit=/, '');
  const components = [...(/^\(([^)]*)\)/.exec(params)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  for (const needed of ['@method', '@target-uri', 'content-digest', 'idempotency-key']) {
    if (!components.includes(needed)) return false;
  }
  const created = Number(/;created=(\d+)/.exec(params)?.[1]);
  if (!(Math.abs(Date.now() / 1000 - created) <= maxAgeSeconds)) return false; // a replay, or no time
  if (h('content-digest') !== `sha-256=:${createHash('sha256').update(body).digest('base64')}:`) return false;
  const base = components.map((c) => `"${c}": ${c === '@method' ? method : c === '@target-uri' ? url : h(c)}`);
  base.push(`"@signature-params": ${params}`);
  const signature = Buffer.from(h('signature').replace(/^credit=:|:$/g, ''), 'base64');
  return verify(null, Buffer.from(base.join('\n')), publicKey, signature);
}
