import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GATEWAY_NODE_FLAGS } from '../../src/performance/node-flags.js';

const root = new URL('../../../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), 'utf8');

describe('the gateway’s Node flags', () => {
  it('are the same wherever the gateway is started', () => {
    const command = JSON.stringify(['node', ...GATEWAY_NODE_FLAGS, 'gateway/dist/index.js']).replaceAll(',', ', ');
    expect(read('Dockerfile')).toContain(`CMD ${command}`);
    expect(read('docker-compose.yml')).toContain(`command: ${command}`);
    expect(read('scripts/src/start.ts')).toContain('nodeFlags: GATEWAY_NODE_FLAGS');
    expect(read('bench/src/main.ts')).toContain("...GATEWAY_NODE_FLAGS, 'gateway/dist/index.js'");
  });
});
