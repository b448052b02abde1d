import { EnvReader, GATEWAY_PORT, LOG_LEVELS, type Env } from '@credit-gateway/common';

export interface LauncherConfig {
  /** Given to every service `npm start` runs. */
  logLevel: string;
  gatewayPort: number;
}

/**
 * What `npm start` reads itself. The rest of its environment passes on to the services it starts,
 * which read it with their own loaders.
 */
export function loadLauncherConfig(env: Env): LauncherConfig {
  const reader = new EnvReader(env);
  const config: LauncherConfig = {
    logLevel: reader.oneOf(
      'LOG_LEVEL',
      LOG_LEVELS,
      'warn',
      "Log level of every service npm start runs, which is quieter than a service's own default",
    ),
    gatewayPort: reader.int(
      'PORT',
      GATEWAY_PORT,
      { min: 1, max: 65_535 },
      "The gateway's port; the stand-ins and subgraphs keep theirs",
    ),
  };
  reader.done();
  return config;
}
