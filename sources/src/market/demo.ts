import { demoCode } from '../demo/subjects.js';
import { epochMillis, type MarketDemoHistory } from './format.js';

/** Scripted market-regulation histories of the demo subjects (see README, "Demo subjects"). */
export const MARKET_DEMO_HISTORIES: ReadonlyMap<string, MarketDemoHistory> = new Map<string, MarketDemoHistory>([
  [
    demoCode('clean-sme'),
    {
      licenceInfo: [
        {
          licId: 'LIC500155000101',
          licNo: '渝梁市监许〔2021〕0088号',
          licName_CN: '特种设备生产许可证',
          licContent: '压力管道元件制造',
          valFrom: '2021-04-02',
          valTo: '2027-04-01',
          licAnth: '重庆市梁平区市场监督管理局',
        },
      ],
      punishInfo: [],
      abnormalInfo: [],
      illInfo: [],
      spotCheckInfo: [
        {
          insId: 'INS500155000201',
          insType: '2',
          insDate: '2025-06-17',
          insRes_CN: '未发现问题',
          insAuth: '重庆市梁平区市场监督管理局',
        },
      ],
      honorInfo: [
        {
          honorId: 'HON500155000301',
          honorName: '守合同重信用企业',
          honorYear: '2024',
          honorOrg: '重庆市市场监督管理局',
        },
        {
          honorId: 'HON500155000302',
          honorName: '守合同重信用企业',
          honorYear: '2025',
          honorOrg: '重庆市市场监督管理局',
        },
      ],
    },
  ],
  [
    demoCode('abnormal-removed'),
    {
      // One decision published late (7 working days after 2025-03-03 is 2025-03-12), one in time:
      // the publicity timeliness the platform reports per department (公示及时性).
      punishInfo: [
        {
          caseId: 'PEN330106000402',
          penDecNo: '杭西市监处罚〔2025〕041号',
          illegActType: '未按规定公示年度报告',
          penContent: '警告',
          penAuth_CN: '杭州市西湖区市场监督管理局',
          penDecIssDate: '2025-03-03',
          publicDate: '2025-03-20',
        },
        {
          caseId: 'PEN330106000403',
          penDecNo: '杭西市监处罚〔2025〕187号',
          illegActType: '未按规定公示即时信息',
          penContent: '警告',
          penAuth_CN: '杭州市西湖区市场监督管理局',
          penDecIssDate: '2025-09-01',
          publicDate: '2025-09-05',
        },
      ],
      abnormalInfo: [
        {
          busExcList: 'ABN330106000401',
          speCause_CN: '未按照《企业信息公示暂行条例》第八条规定的期限公示年度报告的',
          abntime: epochMillis('2024-07-15'),
          decOrg_CN: '杭州市西湖区市场监督管理局',
          remExcpRes_CN: '依照《经营异常名录管理办法》第十一条规定，补报未报年份的年度报告并公示',
          remDate: epochMillis('2025-01-20'),
          reDecOrg_CN: '杭州市西湖区市场监督管理局',
        },
      ],
      illInfo: [],
    },
  ],
  [
    demoCode('serious-illegal'),
    {
      abnormalInfo: [
        {
          busExcList: 'ABN120116000501',
          speCause_CN: '通过登记的住所或者经营场所无法联系的',
          abntime: epochMillis('2019-05-08'),
          decOrg_CN: '天津市滨海新区市场监督管理局',
          remExcpRes_CN: null,
          remDate: null,
          reDecOrg_CN: null,
        },
      ],
      illInfo: [
        {
          illId: 'ILL120116000502',
          serILLRea_CN: '被列入经营异常名录届满3年仍未履行相关义务的',
          abntime: epochMillis('2022-05-09'),
          decOrg_CN: '天津市市场监督管理委员会',
          remExcpRes_CN: null,
          remDate: null,
        },
      ],
      punishInfo: [
        {
          caseId: 'PEN120116000503',
          penDecNo: '津滨市监处罚〔2022〕318号',
          illegActType: '通过登记的住所无法联系且逾期未改正',
          penContent: '吊销营业执照',
          penAuth_CN: '天津市滨海新区市场监督管理局',
          penDecIssDate: '2022-08-15',
          publicDate: '2022-08-19',
        },
      ],
    },
  ],
  [
    demoCode('deregistered'),
    { punishInfo: [], abnormalInfo: [], illInfo: [], licenceInfo: [], spotCheckInfo: [], honorInfo: [] },
  ],
  [
    demoCode('partial-debtor'),
    {
      punishInfo: [
        {
          caseId: 'PEN500112000601',
          penDecNo: '渝北市监处罚〔2024〕127号',
          illegActType: '未按规定公示年度报告',
          penContent: '警告',
          penAuth_CN: '重庆市渝北区市场监督管理局',
          penDecIssDate: '2024-03-11',
          publicDate: '2024-03-15',
        },
      ],
      abnormalInfo: [],
      illInfo: [],
    },
  ],
]);
