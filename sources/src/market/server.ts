import { createStandInHandler, type StandInConfig, type StandInHandler } from '../sim/server.js';
import type { GsxtEntity } from './format.js';
import { gsxtEntity } from './records.js';

/** GSXT answers at most this many codes per batch query, as its data-exchange interface does. */
export const GSXT_BATCH_LIMIT = 1000;

const ERROR_BODY = { status: '500', msg: '系统繁忙，请稍后再试', data: null };

/**
 * The market regulation stand-in. One batch endpoint, in GSXT's data-exchange format:
 * POST /gsxt/api/v1/entinfo/batchQuery {"uniscIdList": [...]} →
 * {"status": "0", "msg": "成功", "data": [GsxtEntity, ...]} holding only the codes it knows.
 */
export function createMarketStandIn(config: StandInConfig): StandInHandler {
  return createStandInHandler({
    name: 'market',
    logger: config.logger,
    faults: config.faults,
    errorBody: ERROR_BODY,
    routes: [
      {
        method: 'POST',
        path: '/gsxt/api/v1/entinfo/batchQuery',
        handle: ({ body }) => {
          const list = (body as { uniscIdList?: unknown } | undefined)?.uniscIdList;
          if (!Array.isArray(list) || list.length > GSXT_BATCH_LIMIT || !list.every((c) => typeof c === 'string')) {
            return {
              response: { status: 400, body: { status: '400', msg: '参数错误: uniscIdList', data: null } },
              keys: 0,
            };
          }
          const data: GsxtEntity[] = [];
          for (const code of new Set<string>(list)) {
            const entity = gsxtEntity(code);
            if (entity) data.push(entity);
          }
          return { response: { status: 200, body: { status: '0', msg: '成功', data } }, keys: list.length };
        },
      },
    ],
  });
}
