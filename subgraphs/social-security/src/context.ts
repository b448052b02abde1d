import type { Logger } from '@credit-gateway/common';
import type { Loaders } from './loaders.js';

export interface SubgraphContext {
  loaders: Loaders;
  logger: Logger;
}
