import type { Rng } from './prng.js';

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰文辉鹏飞俊峰春梅海燕小龙宇浩晨阳欣怡子涵思远嘉诚德';
const BRAND =
  '鑫源恒泰华盛宏达嘉瑞金诚永信天成博远中科睿智新锐乾坤汇丰益民兴隆顺达润泽广和德邦长青星辉锦程正阳聚贤卓越启航';
const INDUSTRIES = [
  '科技',
  '信息技术',
  '建筑工程',
  '贸易',
  '机械制造',
  '食品',
  '物流',
  '医药',
  '环保科技',
  '电子',
  '建材',
  '餐饮管理',
  '商贸',
  '新材料',
  '农业开发',
  '文化传媒',
] as const;
const SHOPS = ['便利店', '五金店', '小吃店', '理发店', '服装店', '水果店', '副食店', '维修部'] as const;
const CROPS = ['蔬菜种植', '水果种植', '生猪养殖', '茶叶', '中药材种植', '水稻种植'] as const;

function chars(rng: Rng, pool: string, count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) text += pool.charAt(rng.int(0, pool.length - 1));
  return text;
}

export function personName(rng: Rng): string {
  return chars(rng, SURNAMES, 1) + chars(rng, GIVEN, rng.chance(0.7) ? 2 : 1);
}

export function industry(rng: Rng): string {
  return rng.pick(INDUSTRIES);
}

export function enterpriseName(rng: Rng, place: string, industryName: string): string {
  const suffix = rng.weighted([
    ['有限公司', 80],
    ['有限责任公司', 12],
    ['股份有限公司', 8],
  ] as const);
  return `${place}${chars(rng, BRAND, 2)}${industryName}${suffix}`;
}

export function individualBusinessName(rng: Rng, place: string, owner: string): string {
  return `${place}${owner}${rng.pick(SHOPS)}`;
}

export function cooperativeName(rng: Rng, place: string): string {
  return `${place}${chars(rng, BRAND, 2)}${rng.pick(CROPS)}专业合作社`;
}

export function socialOrganizationName(rng: Rng, place: string): string {
  return `${place}${rng.pick(['软件行业协会', '餐饮行业协会', '养老服务中心', '青少年发展基金会', '志愿者协会'] as const)}`;
}
