import type { StandInConfig } from '../stand-ins.js';
import { createStandInHandler, type StandInHandler } from '../sim/server.js';
import { ccgpSupplier } from './records.js';

const ERROR_BODY = { success: false, errorCode: 'SYS_BUSY', errorMsg: '系统繁忙，请稍后再试', data: null };

/** Eighteen characters of the credit code charset; the service checks no more than the shape. */
const CODE_SHAPE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;

/**
 * The government procurement stand-in. Single-record look-ups only, as the department offers:
 * GET /ccgp/api/credit/supplier?tyshxydm=<USCC> →
 * {"success": true, "data": CcgpSupplier} or {"success": true, "data": null} when it knows nothing.
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
          if (code === null || !CODE_SHAPE.test(code)) {
            return {
              response: {
                status: 400,
                body: { success: false, errorCode: 'PARAM_ERROR', errorMsg: '参数错误：tyshxydm', data: null },
              },
              keys: 0,
            };
          }
          return { response: { status: 200, body: { success: true, data: ccgpSupplier(code) } }, keys: 1 };
        },
      },
    ],
  });
}
