export { readGatewayMetricsConfig, type GatewayMetricsConfig } from './config.js';
export { GatewayMetrics, type GatewayState } from './gateway-metrics.js';
export { CLIENT_OPERATIONS, knownOperationNames, operationNamesOf } from './known-operations.js';
export {
  NO_OPERATION,
  OTHER_OPERATIONS,
  PUBLIC_OPERATIONS,
  SCREENED_OPERATION,
  OperationNames,
  type Namer,
} from './operation-names.js';
export { answerPrimaryMetricsRequests, clusterMetricsSource } from './cluster.js';
