/**
 * Personal data in text a person typed or a file carried: full citizen ID
 * numbers and phone numbers. One module finds them (to refuse free text that
 * holds them) and masks them (in everything the platform writes back: summary
 * reasons and warnings, errors.csv cells, column names). Pure, no AWS.
 */

export type PersonalDataKind = 'citizen-id' | 'phone';

// Digits may be typed full-width (０-９, Ｘ): they are read as their ASCII twins.
const FULL_WIDTH = /[\uFF10-\uFF19\uFF38\uFF58]/g;
const halfWidth = (text: string) => text.replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));

// An 18-character ID (6 region, 8 birth date, 3 sequence, check digit), possibly typed in groups
// ("330602 19560312 1210"), or a 15-digit first-generation ID. Not bounded by other digits or letters.
const CITIZEN_ID = /(?<![0-9A-Za-z])(?:\d{6}[ -]?\d{8}[ -]?\d{3}[0-9Xx]|\d{15})(?![0-9A-Za-z])/g;
// A mainland mobile number (1[3-9]x xxxx xxxx, optionally +86), or a landline with its area code (0575-8812 3456).
const PHONE = /(?<![0-9])(?:(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}|0\d{2,3}[ -]?\d{7,8})(?![0-9])/g;

// The cheap test first (millions of cells a file): no ID or phone without seven digits in a row (separators aside).
const SEVEN_DIGITS = /[0-9\uFF10-\uFF19](?:[ -]?[0-9\uFF10-\uFF19]){6}/;

/** The kinds of personal data in a text, each once (empty when there is none). */
export function personalDataIn(text: string): PersonalDataKind[] {
  if (!SEVEN_DIGITS.test(text)) return [];
  const value = halfWidth(text);
  const kinds: PersonalDataKind[] = [];
  if (new RegExp(CITIZEN_ID.source).test(value)) kinds.push('citizen-id');
  if (new RegExp(PHONE.source).test(value.replace(CITIZEN_ID, ' '))) kinds.push('phone');
  return kinds;
}

/**
 * The text with every ID number masked as `330602********123X` (region and
 * last four) and every phone as `138****5678` (first three, last four).
 * Masking a masked text changes nothing.
 */
export function maskPersonalData(text: string): string {
  if (!SEVEN_DIGITS.test(text)) return text;
  const value = halfWidth(text);
  return value
    .replace(CITIZEN_ID, (id) => {
      const compact = id.replace(/[ -]/g, '').toUpperCase();
      return `${compact.slice(0, 6)}${'*'.repeat(compact.length - 10)}${compact.slice(-4)}`;
    })
    .replace(PHONE, (phone) => {
      const digits = phone.replace(/[ -]/g, '');
      return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
    });
}

/**
 * Why a free-text value is refused, naming the field and never the value;
 * undefined when it holds no full ID or phone number.
 */
export function freeTextProblem(field: string, text: string): string | undefined {
  const kinds = personalDataIn(text);
  if (kinds.length === 0) return undefined;
  const what = kinds.map((k) => (k === 'citizen-id' ? '身份证号' : '电话号码')).join('和');
  return `${field}中不能填写完整的${what}(个人信息只填在对应的列中,说明文字里请用“户编号”或脱敏形式)`;
}

/**
 * Columns where a person types free text (progress 备注, visit 探访人/情况, roster
 * 与户主关系/乡镇街道, medical 医院/病种, assets 描述): a cell holding a full ID
 * or phone number rejects its row. 身份证号 and 联系电话 are where those belong.
 */
export const FREE_TEXT_COLUMNS: ReadonlySet<string> = new Set(['备注', '探访人', '情况', '与户主关系', '乡镇街道', '医院', '病种', '描述']);
