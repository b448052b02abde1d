import type { ServerResponse } from 'node:http';
import { createAssets, httpSourceFile, packageFile, type AssetFiles } from './assets.js';

/** Every asset comes from an installed package or this folder: the page works with no network. */
const ASSETS: AssetFiles = {
  'react.production.min.js': { file: packageFile('react', 'umd/react.production.min.js'), type: 'text/javascript' },
  'react-dom.production.min.js': {
    file: packageFile('react-dom', 'umd/react-dom.production.min.js'),
    type: 'text/javascript',
  },
  'graphiql.min.js': { file: packageFile('graphiql', 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.min.css': { file: packageFile('graphiql', 'graphiql.min.css'), type: 'text/css' },
  'init.js': { file: httpSourceFile('graphiql/init.js'), type: 'text/javascript' },
};

const PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>credit-gateway · GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.min.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/react.production.min.js"></script>
<script src="/graphiql/react-dom.production.min.js"></script>
<script src="/graphiql/graphiql.min.js"></script>
<script src="/graphiql/init.js"></script>
</body>
</html>
`;

// The policy itself forbids any other origin, so a stray reference to a CDN could not load.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Serves the GraphiQL page and its assets, read once at start-up. */
export function createGraphiQL() {
  const assets = createAssets(ASSETS);
  return {
    page(response: ServerResponse): void {
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'cache-control': 'no-cache',
      });
      response.end(PAGE);
    },
    /** Answers /graphiql/<name>; false when there is no such asset. */
    asset(name: string, response: ServerResponse): boolean {
      return assets.serve(name, response);
    },
  };
}

/** A browser asking for a page, not a GraphQL client asking for JSON. */
export function wantsHtml(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/html');
}
