import { pathToFileURL } from 'node:url';

/** The gateway's endpoint: GATEWAY_URL, or the one `npm start` serves. */
export const gatewayUrl = (env: NodeJS.ProcessEnv = process.env): string =>
  env['GATEWAY_URL'] ?? 'http://127.0.0.1:4000/graphql';

/** A variable the example needs (a token minted with `npm run -s auth -- token …`). */
export function required(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new Error(`Set ${name} (see the README's "Tokens for development and demos")`);
  return value;
}

/** Runs `main` and prints what it answers when the file is the program Node was started with. */
export async function runAsProgram(moduleUrl: string, main: () => Promise<unknown>): Promise<void> {
  const entry = process.argv[1];
  if (entry === undefined || pathToFileURL(entry).href !== moduleUrl) return;
  try {
    process.stdout.write(`${JSON.stringify(await main(), null, 2)}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

/** Today in China Standard Time (YYYY-MM-DD), as the platform dates what departments did. */
export const chinaDate = (at: Date = new Date()): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(at);
