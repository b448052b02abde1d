import { createStandInHandler, type StandInConfig, type StandInHandler } from '../sim/server.js';
import type { CcgpSupplier } from './format.js';
import { ccgpSupplier } from './records.js';

/** The bulk look-up answers at most this many codes per request. */
export const CCGP_BATCH_LIMIT = 1000;

const ERROR_BODY = { success: false, errorCode: 'SYS_BUSY', errorMsg: '系统繁忙，请稍后再试', data: null };

/** Eighteen characters of the credit code charset; the service checks no more than the shape. */
const CODE_SHAPE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

const paramError = (name: string) => ({
  response: {
    status: 400,
    body: { success: false, errorCode: 'PARAM_ERROR', errorMsg: `参数错误：${name}`, data: null },
  },
  keys: 0,
});

/**
 * The government procurement stand-in, with the department's two look-ups:
 * - GET /ccgp/api/credit/supplier?tyshxydm=<USCC> →
 *   {"success": true, "data": CcgpSupplier} or {"success": true, "data": null} when it knows nothing;
 * - POST /ccgp/api/credit/supplier/batch {"tyshxydmList": [...]} →
 *   {"success": true, "data": [CcgpSupplier, ...]} holding only the codes it knows, in request order.
 * Like the single look-up, the bulk one refuses the whole request when any code is not of the shape.
 */
export function createProcurementStandIn(config: StandInConfig): StandInHandler {
  return createStandInHandler({
    name: 'procurement',
    logger: config.logger,
    faults: config.faults,
    errorBody: ERROR_BODY,
    routes: [
      {
        method: 'GET',
        path: '/ccgp/api/credit/supplier',
        handle: ({ query }) => {
          const code = query.get('tyshxydm');
          if (code === null || !CODE_SHAPE.test(code)) return paramError('tyshxydm');
          return { response: { status: 200, body: { success: true, data: ccgpSupplier(code) } }, keys: 1 };
        },
      },
      {
        method: 'POST',
        path: '/ccgp/api/credit/supplier/batch',
        handle: ({ body }) => {
          const list = (body as { tyshxydmList?: unknown } | undefined)?.tyshxydmList;
          if (
            !Array.isArray(list) ||
            list.length > CCGP_BATCH_LIMIT ||
            !list.every((code) => typeof code === 'string' && CODE_SHAPE.test(code))
          ) {
            return paramError('tyshxydmList');
          }
          const data: CcgpSupplier[] = [];
          for (const code of new Set<string>(list)) {
            const supplier = ccgpSupplier(code);
            if (supplier) data.push(supplier);
          }
          return { response: { status: 200, body: { success: true, data } }, keys: list.length };
        },
      },
    ],
  });
}
