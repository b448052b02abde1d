import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ServerResponse } from 'node:http';

const require = createRequire(import.meta.url);

/** A file inside an installed package, even one its `exports` map does not list. */
export function packageFile(name: string, file: string): string {
  return join(dirname(require.resolve(`${name}/package.json`)), file);
}

/** A file of this gateway's own sources under src/http/, from src or dist alike. */
export function httpSourceFile(file: string): string {
  return new URL(`../../src/http/${file}`, import.meta.url).pathname;
}

export interface AssetFiles {
  readonly [name: string]: { file: string; type: string };
}

/**
 * Static assets read once at start-up, from installed packages and this folder: a page built on them
 * works with no network. `serve` answers one by name, with any headers of its own (they win over the
 * defaults); false when there is no such asset.
 */
export function createAssets(files: AssetFiles) {
  const assets = new Map(
    Object.entries(files).map(([name, { file, type }]) => [name, { body: readFileSync(file), type }]),
  );
  return {
    serve(name: string, response: ServerResponse, headers: Readonly<Record<string, string>> = {}): boolean {
      const asset = assets.get(name);
      if (!asset) return false;
      response.writeHead(200, {
        'content-type': asset.type.startsWith('font/') ? asset.type : `${asset.type}; charset=utf-8`,
        'content-length': asset.body.length,
        'cache-control': 'public, max-age=86400',
        'x-content-type-options': 'nosniff',
        ...headers,
      });
      response.end(asset.body);
      return true;
    },
  };
}
