import { demoCode } from '../demo/subjects.js';
import type { ProcurementDemoHistory } from './format.js';

/**
 * Scripted procurement records of the demo subjects (see README, "Demo subjects"). A null entry
 * means the procurement system has never seen the subject. Demo subjects not listed here get
 * generated contracts at most, never a dishonesty record.
 */
export const PROCUREMENT_DEMO_HISTORIES: ReadonlyMap<string, ProcurementDemoHistory | null> = new Map<
  string,
  ProcurementDemoHistory | null
>([
  [
    demoCode('procurement-ban-ended'),
    {
      gxsj: '2026-10-29 10:15:32',
      yzcjl: [
        {
          jlbh: 'YZSX350100202300017',
          qymc: '福州闽海信息技术有限公司',
          qydz: '福建省福州市鼓楼区软件大道89号福州软件园A区12号楼',
          jtqx: '提供虚假材料谋取中标、成交',
          cfyj: '《中华人民共和国政府采购法》第七十七条第一款第（一）项',
          cfjg: '处以采购金额千分之五的罚款，列入不良行为记录名单，在三年内禁止参加政府采购活动',
          jlrq: '2023-10-20',
          zfdw: '福州市财政局',
          jzrq: '2026年10月19日',
        },
      ],
      htxx: [
        {
          htbh: 'HT3501002021000412',
          xmmc: '福州市鼓楼区智慧社区综合服务平台建设项目',
          cgr: '福州市鼓楼区鼓东街道办事处',
          htje: '1260000.00',
          qdrq: '20210615',
        },
        {
          htbh: 'HT3501002022000871',
          xmmc: '福州第十一中学校园网络升级改造项目',
          cgr: '福州第十一中学',
          htje: '486500.00',
          qdrq: '20220908',
        },
        {
          htbh: 'HT3501002023000356',
          xmmc: '福州市医疗保障局医保信息系统运维服务项目',
          cgr: '福州市医疗保障局',
          htje: '735000.00',
          qdrq: '20230522',
        },
        {
          htbh: 'HT3501002026001093',
          xmmc: '福州市仓山区政务云资源运维服务项目',
          cgr: '福州市仓山区大数据服务中心',
          htje: '398000.00',
          qdrq: '20261028',
        },
      ],
    },
  ],
  [
    demoCode('clean-sme'),
    {
      gxsj: '2025-08-29 16:40:05',
      yzcjl: [],
      htxx: [
        {
          htbh: 'HT5001552024000231',
          xmmc: '重庆市梁平区职业教育中心数控实训设备采购项目',
          cgr: '重庆市梁平区职业教育中心',
          htje: '1380000.00',
          qdrq: '20240416',
        },
        {
          htbh: 'HT5001552025000578',
          xmmc: '重庆市梁平区农业农村委员会农机具采购项目',
          cgr: '重庆市梁平区农业农村委员会',
          htje: '624800.00',
          qdrq: '20250827',
        },
      ],
    },
  ],
  [
    demoCode('partial-debtor'),
    {
      gxsj: '2025-07-03 09:20:11',
      yzcjl: [
        {
          jlbh: 'YZSX500112202500042',
          qymc: '重庆渝东建筑工程有限公司',
          qydz: '重庆市渝北区双龙大道178号',
          jtqx: '将重庆市渝北区双凤桥街道老旧小区改造工程政府采购合同转包',
          cfyj: '《中华人民共和国政府采购法实施条例》第七十二条第一款第（四）项',
          cfjg: '处以采购金额千分之八的罚款，列入不良行为记录名单，在二年内禁止参加政府采购活动',
          jlrq: '2025-07-01',
          zfdw: '重庆市渝北区财政局',
          jzrq: '2027年06月30日',
        },
      ],
      htxx: [
        {
          htbh: 'HT5001122024000187',
          xmmc: '重庆市渝北区双凤桥街道老旧小区改造工程',
          cgr: '重庆市渝北区双凤桥街道办事处',
          htje: '3286400.00',
          qdrq: '20240318',
        },
      ],
    },
  ],
  [demoCode('deregistered'), null],
  [demoCode('individual-business'), null],
  [demoCode('social-org'), null],
]);
