import { readInternalAuthConfig, type EnvReader, type InternalSigningConfig } from '@credit-gateway/common';
import { readCallerAuthConfig, type CallerAuthConfig } from './caller.js';
import { readConsentConfig, type ConsentConfig } from './consent.js';

export * from './caller.js';
export * from './consent.js';
export * from './keys.js';
export * from './dev-keys.js';

export interface GatewayAuthConfig {
  caller: CallerAuthConfig;
  consent: ConsentConfig;
  internal: InternalSigningConfig;
}

/** Everything the gateway needs to know who calls, what subjects allowed, and to vouch for both. */
export function readGatewayAuthConfig(reader: EnvReader): GatewayAuthConfig {
  return {
    caller: readCallerAuthConfig(reader),
    consent: readConsentConfig(reader),
    internal: readInternalAuthConfig(reader.section('internal tokens'), 'gateway'),
  };
}
