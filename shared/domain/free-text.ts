import { z } from 'zod';
import { validateCitizenId } from './citizen-id.ts';

/**
 * Free text typed by people (notes, findings, names of caseworkers) must not
 * carry a citizen's full ID number or mobile number: such text is refused, and
 * the reason names the field, never the value. One module, reused for every
 * free-text field of the platform.
 */

export type PersonalDataKind = 'citizen-id' | 'mobile';

const PERSONAL_DATA_TITLES: Record<PersonalDataKind, string> = { 'citizen-id': '完整的身份证号', mobile: '手机号码' };

// Any 17 digits + [0-9Xx] is treated as an ID, valid check digit or not: better refuse a
// long case number than keep an ID with a typo in it.
const ID_SHAPED = /\d{17}[\dXx]/;
// Written with spaces or hyphens (3306 0219 9403 1500 1X): an ID only if its check digit holds,
// so that dates and amounts side by side are not mistaken for one.
const SEPARATED_ID = /(?<!\d)\d(?:[\s-]?\d){16}[\s-]?[\dXx](?![\dXx])/g;
// 1[3-9] + 9 digits, optionally +86 / 0086 / 86 in front, with spaces or hyphens anywhere.
const MOBILE = /(?<!\d)(?:(?:\+|00)?86[\s-]?)?1[3-9](?:[\s-]?\d){9}(?!\d)/;

/** Which kind of personal data the text contains, if any. Full-width digits count as digits. */
export function personalDataIn(text: string): PersonalDataKind | undefined {
  const normalised = text.normalize('NFKC');
  if (ID_SHAPED.test(normalised)) return 'citizen-id';
  for (const match of normalised.matchAll(SEPARATED_ID)) {
    if (validateCitizenId(match[0].replace(/[\s-]/g, '')).ok) return 'citizen-id';
  }
  if (MOBILE.test(normalised)) return 'mobile';
  return undefined;
}

/** The Chinese reason for refusing a field: names the field and the kind of data, never the value. */
export function personalDataReason(fieldTitle: string, kind: PersonalDataKind): string {
  return `${fieldTitle}中不能包含${PERSONAL_DATA_TITLES[kind]}:请删除或改用脱敏写法(如 330602********123X、138****1234)后再提交`;
}

/** One refused field: its name in the request, and the reason. */
export interface FreeTextIssue {
  field: string;
  kind: PersonalDataKind;
  message: string;
}

/** Every field (name → [title, value]) whose value carries personal data. */
export function personalDataIssues(fields: Record<string, { title: string; value: string | undefined | null }>): FreeTextIssue[] {
  const issues: FreeTextIssue[] = [];
  for (const [field, { title, value }] of Object.entries(fields)) {
    if (!value) continue;
    const kind = personalDataIn(value);
    if (kind) issues.push({ field, kind, message: personalDataReason(title, kind) });
  }
  return issues;
}

/**
 * A zod schema for a free-text field: trimmed, required unless `optional`, at
 * most `max` characters, refused when it carries personal data.
 */
export function freeTextSchema(title: string, { max, min = 1 }: { max: number; min?: number }) {
  return z
    .string({ error: `${title}应为文字` })
    .trim()
    .min(min, { error: `${title}不能为空` })
    .max(max, { error: `${title}不能超过${max}字` })
    .superRefine((value, ctx) => {
      const kind = personalDataIn(value);
      if (kind) ctx.addIssue({ code: 'custom', message: personalDataReason(title, kind), params: { personalData: kind } });
    });
}
