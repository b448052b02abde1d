import type { ServerResponse } from 'node:http';
import { createAssets, httpSourceFile, packageFile, type AssetFiles } from './assets.js';

/**
 * The analyst dashboard (分析看板): charts over the statistics the schema serves, read through
 * /graphql with the analyst's own token, so each chart shows what the caller's tier may see and
 * the coded error otherwise. Apache ECharts comes from the installed package: nothing is fetched
 * from outside, and the policy below would refuse it anyway.
 */
const ASSETS: AssetFiles = {
  'echarts.min.js': { file: packageFile('echarts', 'dist/echarts.min.js'), type: 'text/javascript' },
  'dashboard.js': { file: httpSourceFile('dashboard/dashboard.js'), type: 'text/javascript' },
  'dashboard.css': { file: httpSourceFile('dashboard/dashboard.css'), type: 'text/css' },
  // The report's font, so Chinese labels render on a machine without a CJK font, offline.
  'noto-sans-sc.ttf': {
    file: packageFile('@expo-google-fonts/noto-sans-sc', '400Regular/NotoSansSC_400Regular.ttf'),
    type: 'font/ttf',
  },
};

/** The page itself: static, no value of any request is written into it. */
const PAGE_FILE = httpSourceFile('dashboard/dashboard.html');

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "font-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Serves the dashboard page and its assets, read once at start-up. */
export function createDashboard() {
  const assets = createAssets({ ...ASSETS, 'index.html': { file: PAGE_FILE, type: 'text/html' } });
  return {
    page(response: ServerResponse): void {
      assets.serve('index.html', response, {
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
      });
    },
    /** Answers /dashboard/<name>; false when there is no such asset. */
    asset(name: string, response: ServerResponse): boolean {
      if (name === 'index.html') return false;
      return assets.serve(name, response);
    },
  };
}
