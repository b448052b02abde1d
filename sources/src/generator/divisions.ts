/** Administrative divisions (GB/T 2260) that generated subjects are registered in. */
export interface Division {
  code: string;
  /** The name a company registered there carries as its prefix. */
  place: string;
  province: string;
}

export const DIVISIONS: readonly Division[] = [
  { code: '110105', place: '北京', province: '北京市' },
  { code: '110108', place: '北京', province: '北京市' },
  { code: '310115', place: '上海', province: '上海市' },
  { code: '310104', place: '上海', province: '上海市' },
  { code: '120116', place: '天津', province: '天津市' },
  { code: '500103', place: '重庆', province: '重庆市' },
  { code: '500112', place: '重庆', province: '重庆市' },
  { code: '500155', place: '重庆梁平', province: '重庆市' },
  { code: '330106', place: '杭州', province: '浙江省' },
  { code: '330212', place: '宁波', province: '浙江省' },
  { code: '320505', place: '苏州', province: '江苏省' },
  { code: '320106', place: '南京', province: '江苏省' },
  { code: '440305', place: '深圳', province: '广东省' },
  { code: '440106', place: '广州', province: '广东省' },
  { code: '441900', place: '东莞', province: '广东省' },
  { code: '350100', place: '福州', province: '福建省' },
  { code: '350203', place: '厦门', province: '福建省' },
  { code: '370102', place: '济南', province: '山东省' },
  { code: '370202', place: '青岛', province: '山东省' },
  { code: '420106', place: '武汉', province: '湖北省' },
  { code: '430104', place: '长沙', province: '湖南省' },
  { code: '510107', place: '成都', province: '四川省' },
  { code: '610113', place: '西安', province: '陕西省' },
  { code: '410105', place: '郑州', province: '河南省' },
  { code: '340104', place: '合肥', province: '安徽省' },
  { code: '342301', place: '宿州', province: '安徽省' },
  { code: '360102', place: '南昌', province: '江西省' },
  { code: '530102', place: '昆明', province: '云南省' },
  { code: '520102', place: '贵阳', province: '贵州省' },
  { code: '450103', place: '南宁', province: '广西壮族自治区' },
  { code: '210102', place: '大连', province: '辽宁省' },
  { code: '220102', place: '长春', province: '吉林省' },
  { code: '230102', place: '哈尔滨', province: '黑龙江省' },
  { code: '130104', place: '石家庄', province: '河北省' },
  { code: '140105', place: '太原', province: '山西省' },
  { code: '150102', place: '呼和浩特', province: '内蒙古自治区' },
  { code: '620102', place: '兰州', province: '甘肃省' },
  { code: '650102', place: '乌鲁木齐', province: '新疆维吾尔自治区' },
  { code: '460106', place: '海口', province: '海南省' },
  { code: '640104', place: '银川', province: '宁夏回族自治区' },
];

const BY_CODE = new Map(DIVISIONS.map((division) => [division.code, division]));

/** The division for a code; codes outside the list fall back by province prefix, then to a default. */
export function divisionFor(code: string): Division {
  return (
    BY_CODE.get(code) ??
    DIVISIONS.find((division) => division.code.slice(0, 2) === code.slice(0, 2)) ?? {
      code,
      place: '',
      province: '',
    }
  );
}
