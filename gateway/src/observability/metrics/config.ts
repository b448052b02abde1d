import { GATEWAY_METRICS_PORT, readMetricsConfig, type EnvReader, type MetricsConfig } from '@credit-gateway/common';

export interface GatewayMetricsConfig extends MetricsConfig {
  /**
   * METRICS_MAX_OPERATION_NAMES: distinct operation names one process labels its request metrics
   * with; the names after that, and any that is not a plain GraphQL name, are `__other__`.
   */
  maxOperationNames: number;
}

export function readGatewayMetricsConfig(reader: EnvReader): GatewayMetricsConfig {
  const metrics = readMetricsConfig(reader, GATEWAY_METRICS_PORT);
  return {
    ...metrics,
    maxOperationNames: reader
      .section('metrics')
      .int(
        'METRICS_MAX_OPERATION_NAMES',
        200,
        { min: 0, max: 10_000 },
        'Distinct operation names each gateway process labels request metrics with; later ones are __other__',
      ),
  };
}
