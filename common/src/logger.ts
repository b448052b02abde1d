import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on stdout, one child logger per request. Personal identifiers and tokens are
 * redacted wherever they appear under these keys.
 */
export function createLogger(options: { service: string; level?: string }): Logger {
  return pino({
    name: options.service,
    level: options.level ?? 'info',
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['*.authorization', '*.idNumber', '*.variables', '*.token', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  });
}

/** A logger that drops everything, for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
