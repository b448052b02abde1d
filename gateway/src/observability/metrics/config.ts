import { GATEWAY_METRICS_PORT, readMetricsConfig, type EnvReader, type MetricsConfig } from '@credit-gateway/common';

export interface GatewayMetricsConfig extends MetricsConfig {
  /**
   * METRICS_MAX_OPERATION_NAMES: distinct operation names of authenticated callers, besides the
   * known ones (the client package's and the safelist's), that one process labels its request
   * metrics with; the later ones are `__other__`.
   */
  maxOperationNames: number;
  /** METRICS_MAX_OPERATION_NAMES_PER_CLIENT: of those, how many one client may add. */
  maxOperationNamesPerClient: number;
}

export function readGatewayMetricsConfig(reader: EnvReader): GatewayMetricsConfig {
  const metrics = readMetricsConfig(reader, GATEWAY_METRICS_PORT);
  reader = reader.section('metrics');
  return {
    ...metrics,
    maxOperationNames: reader.int(
      'METRICS_MAX_OPERATION_NAMES',
      200,
      { min: 0, max: 10_000 },
      "Operation names of authenticated callers, besides the client package's and the safelist's, each gateway process labels request metrics with; later ones are __other__",
    ),
    maxOperationNamesPerClient: reader.int(
      'METRICS_MAX_OPERATION_NAMES_PER_CLIENT',
      20,
      { min: 0, max: 10_000 },
      'Of those, the names one client (client_id) may add',
    ),
  };
}
