import type { Logger } from '@credit-gateway/common';
import type { Loaders } from './loaders.js';

export interface SubgraphContext {
  loaders: Loaders;
  logger: Logger;
  /** Today in China Standard Time (YYYY-MM-DD), fixed per request so every ban in a response is judged on one day. */
  today: string;
}
