import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLIENT_OPERATIONS, knownOperationNames, operationNamesOf } from '../../src/observability/metrics/index.js';

const repository = fileURLToPath(new URL('../../../', import.meta.url));

describe('the operation names the gateway knows', () => {
  it("are exactly the client package's operations and the dashboard's", () => {
    const folder = join(repository, 'clients/operations');
    const clients = readdirSync(folder)
      .filter((file) => file.endsWith('.graphql'))
      .flatMap((file) => operationNamesOf(readFileSync(join(folder, file), 'utf8')));
    const dashboard = [
      ...readFileSync(join(repository, 'gateway/src/http/dashboard/dashboard.js'), 'utf8').matchAll(
        /\b(?:query|mutation) ([A-Za-z][_0-9A-Za-z]*)/g,
      ),
    ].map((match) => match[1]!);
    expect(dashboard.length).toBeGreaterThan(0);
    expect([...CLIENT_OPERATIONS].sort()).toEqual([...clients, ...dashboard].sort());
  });

  it("add the safelist's, whichever manifest form it has", () => {
    const folder = mkdtempSync(join(tmpdir(), 'safelist-'));
    const plain = join(folder, 'plain.json');
    writeFileSync(plain, JSON.stringify({ a: 'query LenderPortrait { __typename } query LenderCheck { __typename }' }));
    const apollo = join(folder, 'apollo.json');
    writeFileSync(
      apollo,
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        operations: [
          { id: 'x', body: 'mutation FileObjection { __typename }' },
          { id: 'y', body: '{ __typename }' },
        ],
      }),
    );
    expect(knownOperationNames(undefined)).toEqual(new Set(CLIENT_OPERATIONS));
    expect(knownOperationNames(plain)).toEqual(new Set([...CLIENT_OPERATIONS, 'LenderPortrait', 'LenderCheck']));
    expect(knownOperationNames(apollo)).toEqual(new Set([...CLIENT_OPERATIONS, 'FileObjection']));
    expect(operationNamesOf('not GraphQL {')).toEqual([]);
  });
});
