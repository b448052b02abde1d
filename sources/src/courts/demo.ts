import { DEMO_PEOPLE, demoCode } from '../demo/subjects.js';
import { chinaMidnight, type CourtsHistory } from './format.js';

/** Epoch milliseconds of a time of day in China Standard Time, as the disclosure site sends it. */
function at(date: string, time: string): number {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return chinaMidnight(date) + (hours * 60 + minutes) * 60_000;
}

const { partialDebtorRepresentative, debtorRepresentative } = DEMO_PEOPLE;

/**
 * Scripted court records of the demo companies (see README, "Demo subjects"). Every other demo
 * subject has no court records at all.
 */
export const COURTS_DEMO_COMPANIES: ReadonlyMap<string, CourtsHistory> = new Map<string, CourtsHistory>([
  [
    demoCode('partial-debtor'),
    {
      sxbzxr: [
        {
          id: 1503212086,
          iname: '重庆渝东建筑工程有限公司',
          caseCode: '(2023)渝0112执1234号',
          cardNum: 'MA60YD7K-7',
          businessEntity: partialDebtorRepresentative.name,
          courtName: '重庆市渝北区人民法院',
          areaName: '重庆',
          gistId: '(2022)渝0112民初15867号',
          gistUnit: '重庆市渝北区人民法院',
          regDate: '2023年05月12日',
          duty: '支付工程款1860000元',
          performance: '部分履行',
          performedPart: '600000元',
          unperformPart: '1260000元',
          disruptTypeName: '有履行能力而拒不履行生效法律文书确定义务',
          publishDate: at('2023-08-21', '10:15'),
          revokeState: '0',
          revokeDate: null,
          revokeReason: null,
        },
      ],
      xzxfl: [
        {
          ajbs: '5001122023000001234',
          ah: '（2023）渝0112执1234号',
          fymc: '重庆市渝北区人民法院',
          fbrq: '20230605',
          xfrmc: '重庆渝东建筑工程有限公司',
          xfrzjhm: 'MA60YD7K-7',
          xzsx: '1,2,3,4,5,6,7,8,9',
          glry: [
            { xm: partialDebtorRepresentative.name, zjhm: partialDebtorRepresentative.idNumber, sf: '法定代表人' },
          ],
          zt: '有效',
          jcrq: '',
          gxsj: '2023-06-05 16:20:00',
        },
      ],
    },
  ],
  [
    demoCode('serious-illegal'),
    {
      sxbzxr: [
        {
          id: 1398820417,
          iname: '天津乾坤物流有限公司',
          caseCode: '(2021)津0116执5521号',
          cardNum: 'MA05LQ3B-6',
          businessEntity: '孙磊',
          courtName: '天津市滨海新区人民法院',
          areaName: '天津',
          gistId: '(2020)津0116民初9072号',
          gistUnit: '天津市滨海新区人民法院',
          regDate: '2021年06月09日',
          duty: '支付运输费428000元及逾期付款违约金',
          performance: '全部未履行',
          performedPart: '暂无',
          unperformPart: '暂无',
          disruptTypeName: '有履行能力而拒不履行生效法律文书确定义务',
          publishDate: at('2021-09-14', '11:02'),
          revokeState: '1',
          revokeDate: at('2024-04-22', '15:30'),
          revokeReason: '被执行人已履行生效法律文书确定的义务',
        },
      ],
      xzxfl: [
        {
          ajbs: '1201162021000005521',
          ah: '（2021）津0116执5521号',
          fymc: '天津市滨海新区人民法院',
          fbrq: '20210702',
          xfrmc: '天津乾坤物流有限公司',
          xfrzjhm: 'MA05LQ3B-6',
          xzsx: '1,2,3,4,5,6,7,8,9',
          glry: [{ xm: '孙磊', zjhm: '120116198104060033', sf: '法定代表人' }],
          zt: '已解除',
          jcrq: '20240422',
          gxsj: '2024-04-22 15:30:00',
        },
      ],
    },
  ],
]);

/** Scripted personal records of demo people, by resident ID number. */
export const COURTS_DEMO_PEOPLE: ReadonlyMap<string, CourtsHistory> = new Map<string, CourtsHistory>([
  [
    debtorRepresentative.idNumber,
    {
      sxbzxr: [
        {
          id: 1607845213,
          iname: debtorRepresentative.name,
          caseCode: '(2024)川0104执2817号',
          cardNum: debtorRepresentative.idNumber,
          businessEntity: '',
          courtName: '成都市锦江区人民法院',
          areaName: '四川',
          gistId: '(2023)川0104民初11236号',
          gistUnit: '成都市锦江区人民法院',
          regDate: '2024年03月18日',
          duty: '偿还借款本金350000元及利息',
          performance: '全部未履行',
          performedPart: '暂无',
          unperformPart: '暂无',
          disruptTypeName: '有履行能力而拒不履行生效法律文书确定义务',
          publishDate: at('2024-05-06', '09:40'),
          revokeState: '0',
          revokeDate: null,
          revokeReason: null,
        },
      ],
      xzxfl: [
        {
          ajbs: '5101042024000002817',
          ah: '（2024）川0104执2817号',
          fymc: '成都市锦江区人民法院',
          fbrq: '20240325',
          xfrmc: debtorRepresentative.name,
          xfrzjhm: debtorRepresentative.idNumber,
          xzsx: '1,2,3,4,5,6,7,8,9',
          glry: [],
          zt: '有效',
          jcrq: '',
          gxsj: '2024-03-25 14:05:00',
        },
      ],
    },
  ],
]);
