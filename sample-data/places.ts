import type { UnitCode } from '../shared/domain/units.ts';

/** 乡镇街道 per reporting unit (a representative subset). */
export const TOWNS: Record<UnitCode, readonly string[]> = {
  '330600': ['府山街道', '塔山街道', '北海街道'],
  '330602': ['府山街道', '塔山街道', '北海街道', '城南街道', '灵芝街道', '东浦街道', '鉴湖街道', '皋埠街道', '陶堰街道'],
  '330603': ['柯桥街道', '华舍街道', '齐贤街道', '安昌街道', '杨汛桥街道', '钱清街道', '兰亭街道', '平水镇', '福全街道'],
  '330604': ['百官街道', '曹娥街道', '东关街道', '梁湖街道', '崧厦街道', '丰惠镇', '章镇镇', '小越街道'],
  '330624': ['南明街道', '七星街道', '羽林街道', '沙溪镇', '儒岙镇', '澄潭街道', '大市聚镇'],
  '330681': ['暨阳街道', '浣东街道', '陶朱街道', '店口镇', '枫桥镇', '大唐街道', '牌头镇', '次坞镇'],
  '330683': ['剡湖街道', '三江街道', '鹿山街道', '浦口街道', '甘霖镇', '长乐镇', '崇仁镇', '黄泽镇'],
  '330699': ['马山街道', '孙端街道', '沥海街道', '斗门街道'],
};

/**
 * ID-number region codes found among a unit's residents. The older 330621
 * (绍兴县, before 2013 柯桥区) and 330682 (上虞市, before 2013 上虞区) stay on IDs issued
 * before the renaming; the New Area's residents carry the codes of the districts it came from.
 */
export function regionCodesFor(unit: UnitCode, birthYear: number): readonly string[] {
  switch (unit) {
    case '330603':
      return birthYear < 2013 ? ['330603', '330621', '330621'] : ['330603'];
    case '330604':
      return birthYear < 2013 ? ['330604', '330682', '330682'] : ['330604'];
    case '330699':
      return birthYear < 2013 ? ['330602', '330621', '330682'] : ['330602', '330603', '330604'];
    case '330600':
      return ['330602'];
    default:
      return [unit];
  }
}

/** Residents born elsewhere keep their own region code (安徽太和、江西于都、四川、贵州、杭州). */
export const MIGRANT_REGION_CODES = ['341222', '360731', '511521', '522101', '330106'] as const;

export const HOSPITALS: Record<UnitCode, readonly string[]> = {
  '330600': ['绍兴市人民医院', '绍兴市中心医院', '绍兴文理学院附属医院'],
  '330602': ['绍兴市人民医院', '绍兴文理学院附属医院', '越城区人民医院'],
  '330603': ['绍兴市中心医院', '柯桥区人民医院', '柯桥区中医医院'],
  '330604': ['上虞区人民医院', '上虞区中医医院'],
  '330624': ['新昌县人民医院', '新昌县中医院'],
  '330681': ['诸暨市人民医院', '诸暨市中医医院'],
  '330683': ['嵊州市人民医院', '嵊州市中医院'],
  '330699': ['绍兴第二医院滨海院区', '绍兴市人民医院'],
};

export const DISEASES = [
  '高血压',
  '糖尿病',
  '慢性阻塞性肺疾病',
  '脑梗死',
  '冠心病',
  '肺炎',
  '骨折',
  '恶性肿瘤',
  '慢性肾病',
  '白内障',
  '类风湿关节炎',
] as const;
