import { createStandInHandler, type StandInConfig, type StandInHandler } from '../sim/server.js';
import type { TaxpayerRow } from './format.js';
import { taxpayerByNumber } from './records.js';

/** The batch interface answers at most this many taxpayer numbers per query. */
export const TAX_BATCH_LIMIT = 1000;

const ERROR_BODY = { code: '9999', message: '系统异常，请稍后重试', rows: null };

/**
 * The tax stand-in. One batch endpoint of the tax credit management system's data-exchange
 * interface: POST /tax/api/nsrxy/plcx {"nsrsbhList": [...]} →
 * {"code": "0000", "message": "查询成功", "rows": [TaxpayerRow, ...]} holding only the numbers it
 * keys a taxpayer by, in its own index order (by nsrsbh), not the request's.
 */
export function createTaxStandIn(config: StandInConfig): StandInHandler {
  return createStandInHandler({
    name: 'tax',
    logger: config.logger,
    faults: config.faults,
    errorBody: ERROR_BODY,
    routes: [
      {
        method: 'POST',
        path: '/tax/api/nsrxy/plcx',
        handle: ({ body }) => {
          const list = (body as { nsrsbhList?: unknown } | undefined)?.nsrsbhList;
          if (!Array.isArray(list) || list.length > TAX_BATCH_LIMIT || !list.every((n) => typeof n === 'string')) {
            return {
              response: { status: 400, body: { code: '1001', message: '参数错误: nsrsbhList', rows: null } },
              keys: 0,
            };
          }
          const rows: TaxpayerRow[] = [];
          for (const nsrsbh of [...new Set(list)].sort()) {
            const row = taxpayerByNumber(nsrsbh);
            if (row) rows.push(row);
          }
          return { response: { status: 200, body: { code: '0000', message: '查询成功', rows } }, keys: list.length };
        },
      },
    ],
  });
}
