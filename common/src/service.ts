import type { EnvReader } from './config.js';
import type { Logger } from './logger.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Settings every service process has. */
export interface ServiceConfig {
  host: string;
  port: number;
  logLevel: string;
}

export function readServiceConfig(reader: EnvReader, defaultPort: number): ServiceConfig {
  reader = reader.section('Every service');
  return {
    host: reader.string('HOST', '127.0.0.1', 'Address the service listens on'),
    port: reader.int('PORT', defaultPort, { min: 0, max: 65_535 }, 'Port the service listens on'),
    logLevel: reader.oneOf(
      'LOG_LEVEL',
      LOG_LEVELS,
      'info',
      'Least severe level written to the log (JSON lines on stdout)',
    ),
  };
}

/** Closes a service cleanly on SIGINT or SIGTERM so that in-flight requests finish. */
export function closeOnSignals(close: () => Promise<void>, logger: Logger): void {
  let closing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
