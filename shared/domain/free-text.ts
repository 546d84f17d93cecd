import { z } from 'zod';
import { validateCitizenId } from './citizen-id.ts';

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

// To be safe, any 17 digits + [0-9Xx] is an ID, even inside a longer run of digits or letters (a typo'd ID is still one).
const ID_SHAPED = /\d{17}[\dXx]/;
// Eighteen characters with spaces or hyphens anywhere (3306 0219 5603 1212 10): an ID when its check digit holds,
// so that dates and amounts side by side are not taken for one.
const SEPARATED_ID = /(?<!\d)\d(?:[ -]?\d){16}[ -]?[\dXx](?![\dXx])/g;

function looksLikeCitizenId(value: string): boolean {
  if (new RegExp(CITIZEN_ID.source).test(value) || ID_SHAPED.test(value)) return true;
  for (const match of value.matchAll(SEPARATED_ID)) if (validateCitizenId(match[0].replace(/[ -]/g, '')).ok) return true;
  return false;
}

// The cheap test first (millions of cells a file): no ID or phone without seven digits in a row (separators aside).
const SEVEN_DIGITS = /[0-9\uFF10-\uFF19](?:[ -]?[0-9\uFF10-\uFF19]){6}/;

/** The kinds of personal data in a text, each once (empty when there is none). */
export function personalDataIn(text: string): PersonalDataKind[] {
  if (!SEVEN_DIGITS.test(text)) return [];
  const value = halfWidth(text);
  const kinds: PersonalDataKind[] = [];
  if (looksLikeCitizenId(value)) kinds.push('citizen-id');
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

/**
 * A zod schema for a free-text field of a request (caseworkers' notes, findings, names): trimmed,
 * required, at most `max` characters, refused with freeTextProblem's reason when it holds a full ID or
 * phone number. The API validates with it and the dashboard's forms import it.
 */
export function freeTextSchema(title: string, { max, min = 1 }: { max: number; min?: number }) {
  return z
    .string({ error: `${title}应为文字` })
    .trim()
    .min(min, { error: `${title}不能为空` })
    .max(max, { error: `${title}不能超过${max}字` })
    .superRefine((value, ctx) => {
      const problem = freeTextProblem(title, value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, params: { personalData: personalDataIn(value) } });
    });
}
