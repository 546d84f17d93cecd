import type { Random } from './prng.ts';

/** Surnames with rough frequencies for Zhejiang (金、俞、楼、宣 are common in Shaoxing). */
const SURNAMES: readonly (readonly [string, number])[] = [
  ['王', 8],
  ['陈', 8],
  ['张', 6],
  ['李', 5],
  ['金', 4],
  ['俞', 3],
  ['徐', 4],
  ['周', 4],
  ['杨', 3],
  ['吴', 4],
  ['赵', 3],
  ['孙', 3],
  ['沈', 3],
  ['黄', 3],
  ['朱', 3],
  ['胡', 3],
  ['何', 2],
  ['钱', 2],
  ['傅', 2],
  ['楼', 2],
  ['宣', 1],
  ['骆', 1],
  ['蒋', 2],
  ['丁', 1],
  ['马', 2],
  ['郑', 2],
  ['谢', 1],
  ['魏', 1],
  ['袁', 1],
  ['章', 2],
  ['方', 1],
  ['史', 1],
  ['屠', 1],
  ['竺', 1],
  ['茹', 1],
  ['裘', 1],
  ['寿', 1],
  ['应', 1],
  ['梁', 1],
  ['叶', 2],
  ['诸葛', 0.3],
  ['欧阳', 0.3],
  ['司马', 0.1],
];

const MALE_CHARS = '伟刚强军建国明华志勇杰涛斌峰林海波平辉鹏飞磊俊文荣根法水土祥德福生兴龙宝康浩宇轩博涵';
const FEMALE_CHARS = '芳娟敏静丽艳霞玲燕红英华萍琴娣凤兰珍莉梅雪婷颖佳怡欣月秀桂金彩琳';

export function randomName(random: Random, sex: 'male' | 'female'): string {
  const surname = random.weighted(SURNAMES);
  const chars = sex === 'male' ? MALE_CHARS : FEMALE_CHARS;
  const length = random.chance(0.75) ? 2 : 1;
  let given = '';
  for (let i = 0; i < length; i++) given += random.pick(Array.from(chars));
  return surname + given;
}

/** 11-digit mobile number. */
export function randomMobile(random: Random): string {
  const prefix = random.pick([
    '130',
    '133',
    '135',
    '136',
    '137',
    '138',
    '139',
    '150',
    '151',
    '152',
    '155',
    '157',
    '158',
    '159',
    '177',
    '180',
    '182',
    '187',
    '188',
    '189',
    '198',
  ]);
  return prefix + String(random.int(0, 99_999_999)).padStart(8, '0');
}
