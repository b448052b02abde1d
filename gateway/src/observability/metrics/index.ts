export { readGatewayMetricsConfig, type GatewayMetricsConfig } from './config.js';
export { GatewayMetrics, type GatewayState } from './gateway-metrics.js';
export { NO_OPERATION, OTHER_OPERATIONS, OperationNames } from './operation-names.js';
export { answerPrimaryMetricsRequests, clusterMetricsSource } from './cluster.js';
