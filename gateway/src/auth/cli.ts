/**
 * Development keys and tokens from the command line:
 *
 *   keys    [--dir .data/dev-keys]
 *   token   --tier GOVERNMENT --client approval-system-cq [--sub user-001] [--department TAX|CAAC|…] [--ttl 8h] [--dir ...]
 *   consent --subject 91500155MA5UQ01CXD --grantee xinyidai-bank-001 --purpose LOAN_APPROVAL
 *           --groups TAX_PAYMENTS,SOCIAL_SECURITY [--ttl 30d] [--dir ...]
 */
import { parseArgs } from 'node:util';
import { CONSENT_GROUPS, DEPARTMENTS, IMPLEMENTING_DEPARTMENTS, TIERS } from '@credit-gateway/common';
import { DEV_KEYS_DIR, generateDevKeys, mintCallerToken, mintConsent } from './dev-keys.js';

const USAGE = `Usage:
  keys    [--dir ${DEV_KEYS_DIR}]
          Creates a DEVELOPMENT key set where missing and prints the environment that trusts it.
  token   --tier <${TIERS.join('|')}> [--client <client_id>] [--sub <user>]
          [--department <${[...DEPARTMENTS, ...IMPLEMENTING_DEPARTMENTS].join('|')}>] [--ttl 8h] [--dir ...]
          Prints a caller token (Authorization: Bearer <token>). A GOVERNMENT client acting for a
          department names it: only that department decides objections and repairs of its records,
          initiates cases for its lists, and acknowledges and reports on the measures it implements.
  consent --subject <credit code> --grantee <client_id> --purpose <purpose>
          --groups <${CONSENT_GROUPS.join(',')}> [--ttl 30d] [--dir ...]
          Prints a subject consent (x-credit-consent: <consent>).
`;

class UsageError extends Error {}

function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value;
}

async function run(argv: string[]): Promise<string> {
  const [command, ...rest] = argv;
  const common = { dir: { type: 'string', default: DEV_KEYS_DIR }, ttl: { type: 'string' } } as const;
  switch (command) {
    case 'keys': {
      const { values } = parseArgs({ args: rest, options: { dir: common.dir }, strict: true });
      const keys = await generateDevKeys(values.dir);
      const lines = Object.entries(keys.env).map(([name, value]) => `${name}=${value}`);
      return ['# DEVELOPMENT keys only: never use them to protect real data', ...lines].join('\n');
    }
    case 'token': {
      const { values } = parseArgs({
        args: rest,
        options: {
          ...common,
          tier: { type: 'string' },
          client: { type: 'string' },
          sub: { type: 'string' },
          department: { type: 'string' },
        },
        strict: true,
      });
      return mintCallerToken({
        tier: required(values, 'tier'),
        client: values.client ?? null,
        subject: values.sub ?? null,
        department: values.department ?? null,
        ttl: values.ttl,
        dir: values.dir,
      });
    }
    case 'consent': {
      const { values } = parseArgs({
        args: rest,
        options: {
          ...common,
          subject: { type: 'string' },
          grantee: { type: 'string' },
          purpose: { type: 'string' },
          groups: { type: 'string' },
        },
        strict: true,
      });
      return mintConsent({
        subject: required(values, 'subject'),
        grantee: required(values, 'grantee'),
        purpose: required(values, 'purpose'),
        groups: required(values, 'groups')
          .split(',')
          .map((group) => group.trim())
          .filter((group) => group !== ''),
        ttl: values.ttl,
        dir: values.dir,
      });
    }
    default:
      throw new UsageError(command === undefined ? 'a command is required' : `unknown command '${command}'`);
  }
}

try {
  process.stdout.write(`${await run(process.argv.slice(2))}\n`);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const usage = error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
  process.stderr.write(`${message}\n${usage ? `\n${USAGE}` : ''}`);
  process.exitCode = usage ? 2 : 1;
}
