import { normalizeIdNumber, normalizeOrganizationCode } from '@credit-gateway/common';
import { createStandInHandler, type StandInConfig, type StandInHandler } from '../sim/server.js';
import { createLinkageLog, linkageAppendRoute, linkageChangesRoute } from './linkage.js';
import type { ZxgkDebtor, ZxgkRestriction } from './format.js';
import { companyCourtHistory, personCourtHistory } from './records.js';
import { buildCourtsRegistry } from './registry.js';

/** The courts answer at most this many subjects (companies and people together) per batch query. */
export const ZXGK_BATCH_LIMIT = 1000;

const ERROR_BODY = { result: 'fail', message: '系统繁忙，请稍后再试' };

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * The courts stand-in. One batch endpoint of the enforcement linkage data exchange (执行联动):
 * POST /zxgk/api/sxbzxr/plcx {"zzjgdmList": ["MA60YD7K-7", ...], "sfzhmList": ["5101...", ...]} →
 * {"result": "success", "message": "查询成功", "wppzzjgdmList": [organization codes it cannot match],
 *  "sxbzxr": [debtor records], "xzxfl": [restriction orders naming or binding the subjects]}.
 * Companies are matched by organization code only; a person's orders include those of companies
 * that bind them as officer, found through an index built at start-up.
 */
export function createCourtsStandIn(config: StandInConfig): StandInHandler {
  const started = performance.now();
  const registry = buildCourtsRegistry(config.populationSize);
  config.logger.info(
    {
      populationSize: config.populationSize,
      companies: registry.companies.size,
      boundPeople: registry.bindingCompanies.size,
      ms: Math.round(performance.now() - started),
    },
    'courts index built',
  );
  const linkage = createLinkageLog(registry);
  config.logger.info({ changes: linkage.lastSeq() }, 'courts linkage log built');
  return createStandInHandler({
    name: 'courts',
    logger: config.logger,
    faults: config.faults,
    errorBody: ERROR_BODY,
    routes: [
      {
        method: 'POST',
        path: '/zxgk/api/sxbzxr/plcx',
        handle: ({ body }) => {
          const request = (body ?? {}) as { zzjgdmList?: unknown; sfzhmList?: unknown };
          const organizationCodes = request.zzjgdmList ?? [];
          const idNumbers = request.sfzhmList ?? [];
          if (!isStringList(organizationCodes) || !isStringList(idNumbers)) {
            return {
              response: { status: 400, body: { result: 'fail', message: '参数错误: zzjgdmList, sfzhmList' } },
              keys: 0,
            };
          }
          const keys = organizationCodes.length + idNumbers.length;
          if (keys === 0 || keys > ZXGK_BATCH_LIMIT) {
            return {
              response: {
                status: 400,
                body: { result: 'fail', message: `参数错误: 每次查询1至${ZXGK_BATCH_LIMIT}个主体` },
              },
              keys: 0,
            };
          }
          const debtors: ZxgkDebtor[] = [];
          // An order shows up once even when both the company and its officers are asked for.
          const orders = new Map<string, ZxgkRestriction>();
          const unmatched: string[] = [];
          for (const organizationCode of new Set(organizationCodes)) {
            const code = registry.companies.get(normalizeOrganizationCode(organizationCode));
            if (code === undefined) {
              unmatched.push(organizationCode);
              continue;
            }
            const history = companyCourtHistory(code);
            debtors.push(...history.sxbzxr);
            for (const order of history.xzxfl) orders.set(order.ajbs, order);
          }
          for (const idNumber of new Set(idNumbers.map(normalizeIdNumber))) {
            const history = personCourtHistory(idNumber, registry.names.get(idNumber));
            debtors.push(...history.sxbzxr);
            for (const order of history.xzxfl) orders.set(order.ajbs, order);
            for (const code of registry.bindingCompanies.get(idNumber) ?? []) {
              for (const order of companyCourtHistory(code).xzxfl) {
                if (order.glry.some((person) => person.zjhm === idNumber)) orders.set(order.ajbs, order);
              }
            }
          }
          return {
            response: {
              status: 200,
              body: {
                result: 'success',
                message: '查询成功',
                wppzzjgdmList: unmatched,
                sxbzxr: debtors,
                xzxfl: [...orders.values()],
              },
            },
            keys,
          };
        },
      },
      // The enforcement linkage change log (执行联动), and its control endpoint for tests.
      linkageChangesRoute(linkage),
      linkageAppendRoute(linkage),
    ],
  });
}
