import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeConfig, EnvReader, type Env } from '@credit-gateway/common';
import {
  anchorOf,
  ConfigDocsError,
  groupCatalogs,
  renderTable,
  spliceConfigDocs,
  type ServiceCatalog,
} from '../src/config-docs/render.js';
import { describeServices } from '../src/config-docs/services.js';

const ROOT = '/repo';

/** Like readServiceConfig: one shared reader every service calls with its own port. */
function readListener(reader: EnvReader, port: number) {
  const shared = reader.section('Every service');
  shared.string('HOST', '127.0.0.1', 'Address the service listens on');
  shared.int('PORT', port, { min: 0, max: 65_535 }, 'Port the service listens on');
}

function api(env: Env) {
  const reader = new EnvReader(env);
  readListener(reader, 4000);
  reader.string('DATA_FILE', '/repo/config/data.txt', 'File of data');
  for (const name of ['A', 'B']) reader.url(`PEER_${name}_URL`, undefined, 'Where that peer is');
  const cache = reader.section('cache');
  cache.int('CACHE_MAX_BYTES', 1024 * 1024, { min: 1024, max: 1024 ** 3 }, 'Most bytes kept');
  cache.int('CACHE_TTL_MS', 600_000, { min: 1 }, 'How long an entry lives');
  cache.bool('CACHE', false, 'Cache answers');
  reader.done();
}

function worker(env: Env) {
  const reader = new EnvReader(env);
  readListener(reader, 4100);
  reader.oneOf('MODE', ['fast', 'safe'], 'safe', 'How it works | and why');
  reader.done();
}

const catalogs = (): ServiceCatalog[] => [
  { name: 'api', title: 'API', variables: describeConfig(api) },
  { name: 'worker', title: 'Worker', variables: describeConfig(worker) },
];

describe('configuration tables', () => {
  it('groups shared sections first, then each service with its own sections, with defaults per service', () => {
    const groups = groupCatalogs(catalogs(), ROOT);
    expect(groups.map((group) => [group.title, group.services, group.rows.map((row) => row.names)])).toEqual([
      ['Every service', ['api', 'worker'], [['HOST'], ['PORT']]],
      ['API', ['api'], [['DATA_FILE'], ['PEER_A_URL', 'PEER_B_URL']]],
      ['API: cache', ['api'], [['CACHE_MAX_BYTES'], ['CACHE_TTL_MS'], ['CACHE']]],
      ['Worker', ['worker'], [['MODE']]],
    ]);
  });

  it('writes the tables between the markers, a placed section where it is placed, and is stable', () => {
    const readme = [
      '# Service',
      '## Configuration',
      '<!-- config-docs:begin * -->',
      'stale text',
      '<!-- config-docs:end -->',
      '### The cache',
      'Prose about the cache.',
      '<!-- config-docs:begin API: cache -->',
      '<!-- config-docs:end -->',
      'More prose.',
    ].join('\n');
    const groups = groupCatalogs(catalogs(), ROOT);
    const written = spliceConfigDocs(readme, groups);
    expect(written).toMatchInlineSnapshot(`
      "# Service
      ## Configuration
      <!-- config-docs:begin * -->

      **Every service**

      | Variable | Default | Values | Meaning |
      |---|---|---|---|
      | \`HOST\` | \`127.0.0.1\` | text | Address the service listens on |
      | \`PORT\` | \`4000\` api; \`4100\` worker | 0 to 65535 | Port the service listens on |

      **API**

      | Variable | Default | Values | Meaning |
      |---|---|---|---|
      | \`DATA_FILE\` | \`config/data.txt\` | file path | File of data |
      | \`PEER_A_URL\`, \`PEER_B_URL\` | — | URL | Where that peer is |

      **API: cache**: see [The cache](#the-cache).

      **Worker**

      | Variable | Default | Values | Meaning |
      |---|---|---|---|
      | \`MODE\` | \`safe\` | \`fast\`, \`safe\` | How it works \\| and why |

      <!-- config-docs:end -->
      ### The cache
      Prose about the cache.
      <!-- config-docs:begin API: cache -->

      | Variable | Default | Values | Meaning |
      |---|---|---|---|
      | \`CACHE_MAX_BYTES\` | \`1048576\` (1 MiB) | 1 KiB to 1 GiB | Most bytes kept |
      | \`CACHE_TTL_MS\` | \`600000\` (10 min) | whole number, at least 1 ms | How long an entry lives |
      | \`CACHE\` | \`false\` | \`true\`, \`false\` | Cache answers |

      <!-- config-docs:end -->
      More prose."
    `);
    expect(spliceConfigDocs(written, groups)).toBe(written);
  });

  it('refuses a variable read without a description, or read two ways by two services', () => {
    const undocumented: ServiceCatalog = {
      name: 'api',
      title: 'API',
      variables: describeConfig((env) => new EnvReader(env).isSet('LIMIT')),
    };
    expect(() => groupCatalogs([undocumented], ROOT)).toThrow(
      new ConfigDocsError(['LIMIT (api) is read without a description']),
    );
    const shared = (description: string) => (env: Env) =>
      new EnvReader(env).section('shared').bool('FLAG', false, description);
    expect(() =>
      groupCatalogs(
        [
          { name: 'a', title: 'A', variables: describeConfig(shared('One meaning')) },
          { name: 'b', title: 'B', variables: describeConfig(shared('Another meaning')) },
        ],
        ROOT,
      ),
    ).toThrow(new ConfigDocsError(['FLAG is read differently by a and b; give them one reader']));
  });

  it('refuses markers that name no group, place one twice, or leave no place for the rest', () => {
    const groups = groupCatalogs(catalogs(), ROOT);
    const region = (target: string) => [`<!-- config-docs:begin ${target} -->`, '<!-- config-docs:end -->'];
    expect(() => spliceConfigDocs([...region('*'), ...region('API: queue')].join('\n'), groups)).toThrow(
      "README names 'API: queue', which no config reader has",
    );
    expect(() =>
      spliceConfigDocs([...region('*'), ...region('Worker'), ...region('Worker')].join('\n'), groups),
    ).toThrow("README places 'Worker' twice");
    expect(() => spliceConfigDocs(region('Worker').join('\n'), groups)).toThrow('found 0');
    expect(() => spliceConfigDocs('<!-- config-docs:begin * -->\n', groups)).toThrow('has no');
  });

  it('says units and defaults as an operator reads them', () => {
    const variables = describeConfig((env) => {
      const reader = new EnvReader(env);
      reader.int('WAIT_MS', 1, { min: 1, max: 600_000 }, 'Wait');
      reader.int('LIMIT_BYTES', 1, { min: 1, max: 1024 }, 'Limit');
      reader.int('KEEP_YEARS', 3, { min: 1, max: 10 }, 'Keep');
      reader.int('GRACE_S', 90, { min: 0 }, 'Grace');
      reader.number('SHARE', 0.5, { max: 1 }, 'Share');
      reader.string('WRITER', 'host-1', { text: 'Writer', default: 'the host name' });
    });
    const [group] = groupCatalogs([{ name: 'a', title: 'A', variables }], ROOT);
    expect(renderTable(group!)).toMatchInlineSnapshot(`
      "| Variable | Default | Values | Meaning |
      |---|---|---|---|
      | \`WAIT_MS\` | \`1\` | 1 ms to 10 min | Wait |
      | \`LIMIT_BYTES\` | \`1\` | 1 byte to 1 KiB | Limit |
      | \`KEEP_YEARS\` | \`3\` | 1 year to 10 years | Keep |
      | \`GRACE_S\` | \`90\` | whole number, at least 0 s | Grace |
      | \`SHARE\` | \`0.5\` | number, at most 1 | Share |
      | \`WRITER\` | the host name | text | Writer |"
    `);
  });

  it('links to a heading by the anchor GitHub gives it', () => {
    expect(anchorOf('Requests, persisted operations and workers')).toBe('requests-persisted-operations-and-workers');
    expect(anchorOf('Entity cache')).toBe('entity-cache');
  });

  it("README.md documents exactly what the services' config readers read (npm run docs:config)", () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const readme = readFileSync(`${root}README.md`, 'utf8');
    expect(spliceConfigDocs(readme, groupCatalogs(describeServices(), root))).toBe(readme);
  });
});
