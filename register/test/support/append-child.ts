/**
 * A gateway process reduced to its register, for tests that kill it or starve it:
 *   node --import tsx append-child.ts <config json> flood|until-failure <in flight>
 * It prints every acknowledged seq on its own line: stdout to a pipe is synchronous, so a
 * printed seq was acknowledged before the line left. `flood` appends for ever, `inFlight` at a
 * time; `until-failure` appends large records one by one until an append fails, then prints
 * `failed <code> <cause code>` and closes the register.
 */
import { silentLogger } from '@credit-gateway/common';
import { openQueryRegister, type RegisterConfig } from '../../src/index.js';
import { queryInput } from './register.js';

const [configJson = '', mode = 'flood', inFlight = '32'] = process.argv.slice(2);
const register = await openQueryRegister(JSON.parse(configJson) as RegisterConfig, silentLogger());
let n = 0;

if (mode === 'flood') {
  const worker = async () => {
    for (;;) {
      const record = await register.append(queryInput(n++));
      process.stdout.write(`${record.seq}\n`);
    }
  };
  await Promise.all(Array.from({ length: Number(inFlight) }, worker));
} else {
  const subjects = Array.from({ length: 100 }, (_, i) => `91500112MA60YD7K76-person-key-${i}`);
  for (;;) {
    try {
      const record = await register.append(queryInput(n++, { subjects }));
      process.stdout.write(`${record.seq}\n`);
    } catch (error) {
      const { code, cause } = error as { code?: string; cause?: { code?: string } };
      process.stdout.write(`failed ${code} ${cause?.code}\n`);
      break;
    }
  }
  await register.close();
}
