/**
 * 居民身份证号 (GB 11643-1999). The ONLY module that looks inside a raw ID number:
 * everything else holds a `personRef` (keyed hash) and a masked form.
 */

declare const citizenIdBrand: unique symbol;
/** A validated, normalised (upper-case X) 18-character ID number. */
export type CitizenId = string & { readonly [citizenIdBrand]: 'CitizenId' };

export type CitizenIdValidation = { ok: true; id: CitizenId } | { ok: false; reason: string };

export interface CitizenIdOptions {
  /** `YYYY-MM-DD`: a birth date after this day is rejected. Without it only the calendar is checked (the domain reads no clock). */
  asOf?: string;
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** Province-level codes (first two digits). 71 台湾, 81 香港, 82 澳门, 83 residence permits of Taiwan residents. */
export const PROVINCE_CODES: ReadonlySet<string> = new Set([
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
  '71',
  '81',
  '82',
  '83',
]);

/** Earliest birth year accepted: anything older is a data-entry error, not a person. */
const MIN_BIRTH_YEAR = 1900;

/** ISO 7064 MOD 11-2 check character for the first 17 digits. */
export function citizenIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('校验位计算需要17位数字');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

export function validateCitizenId(raw: string, options: CitizenIdOptions = {}): CitizenIdValidation {
  if (typeof raw !== 'string') return { ok: false, reason: '身份证号缺失' };
  // Spreadsheets add spaces; a lower-case x is the same check character.
  const value = raw.trim().toUpperCase();
  if (value.length === 0) return { ok: false, reason: '身份证号为空' };
  if (value.length !== 18) return { ok: false, reason: `身份证号应为18位，实际为${value.length}位` };
  if (!/^\d{17}[\dX]$/.test(value)) return { ok: false, reason: '身份证号格式错误：前17位应为数字，末位应为数字或X' };
  if (!PROVINCE_CODES.has(value.slice(0, 2))) return { ok: false, reason: '身份证号地区码无效：省级代码不存在' };
  const year = Number(value.slice(6, 10));
  if (year < MIN_BIRTH_YEAR || !isCalendarDate(year, Number(value.slice(10, 12)), Number(value.slice(12, 14)))) {
    return { ok: false, reason: '身份证号中的出生日期无效' };
  }
  if (options.asOf && `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}` > options.asOf) {
    return { ok: false, reason: `身份证号中的出生日期晚于${options.asOf}` };
  }
  if (citizenIdCheckChar(value.slice(0, 17)) !== value[17]) return { ok: false, reason: '身份证号校验位错误' };
  return { ok: true, id: value as CitizenId };
}

/** Builds a valid ID from its parts (generator and tests): 6-digit region, `YYYY-MM-DD`, 3-digit sequence (odd = male). */
export function composeCitizenId(region: string, birthDate: string, sequence: number): CitizenId {
  const first17 = `${region}${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  const result = validateCitizenId(first17 + citizenIdCheckChar(first17));
  if (!result.ok) throw new Error(`无法生成身份证号：${result.reason}`);
  return result.id;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// Plain arithmetic rather than Date: this runs once per row of multi-million-row files.
function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}

/** `YYYY-MM-DD`. */
export function birthDateOf(id: CitizenId): string {
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}

/** The 17th digit: odd for male, even for female. */
export function sexOf(id: CitizenId): 'male' | 'female' {
  return Number(id[16]) % 2 === 1 ? 'male' : 'female';
}

/** Completed years of age on `date` (`YYYY-MM-DD`). */
export function ageOn(id: CitizenId, date: string): number {
  return ageFromBirthDate(birthDateOf(id), date);
}

/** Completed years between two `YYYY-MM-DD` dates: the birthday counts on its own day (29 Feb on 1 Mar in other years). */
export function ageFromBirthDate(birthDate: string, date: string): number {
  const years = Number(date.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return date.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/** `330602********123X`: region and last four only, for display and evidence. */
export function maskCitizenId(id: CitizenId | string): string {
  const value = String(id).trim().toUpperCase();
  if (value.length !== 18) return '*'.repeat(Math.max(value.length, 1));
  return `${value.slice(0, 6)}********${value.slice(14)}`;
}

/** Compound surnames (复姓) keep both characters when masked. */
const COMPOUND_SURNAMES = new Set([
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '长孙',
  '宇文',
  '司徒',
  '夏侯',
  '轩辕',
  '令狐',
  '钟离',
  '端木',
  '南宫',
  '西门',
  '百里',
  '呼延',
  '独孤',
  '万俟',
  '澹台',
  '公冶',
  '太史',
  '申屠',
  '闻人',
  '赫连',
  '拓跋',
  '东郭',
  '濮阳',
  '淳于',
  '单于',
  '仲孙',
  '漆雕',
  '乐正',
  '谷梁',
  '司空',
  '左丘',
  '第五',
]);

/** `张*`, `王**`, `欧阳**`: the surname stays, every other character becomes `*`. */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return '*';
  const keep = chars.length >= 3 && COMPOUND_SURNAMES.has(chars[0] + chars[1]) ? 2 : 1;
  return chars.slice(0, keep).join('') + '*'.repeat(chars.length - keep);
}

/** `138****1234`: first three and last four characters stay, the middle is starred; short numbers are starred whole. */
export function maskPhone(phone: string): string {
  const value = phone.replace(/\s+/g, '');
  if (value.length < 8) return '*'.repeat(Math.max(value.length, 1));
  return value.slice(0, 3) + '*'.repeat(value.length - 7) + value.slice(-4);
}

// ── byte level: the bulk matcher reads millions of IDs without making a string of each ──

/** Province codes as a lookup by their two-digit number. */
const PROVINCE_BY_NUMBER = (() => {
  const table = new Uint8Array(100);
  for (const code of PROVINCE_CODES) table[Number(code)] = 1;
  return table;
})();

/** Birth dates as a small number: (year − 1900) × 372 + (month − 1) × 31 + (day − 1). */
const DATE_CODES = 372;
const MAX_BIRTH_YEAR = 2099;

/**
 * The ID in `bytes[start, start + 18)` as an exact integer key (region, birth
 * date and sequence; the check character follows from them), or -1 unless the
 * bytes are a canonical ID that `validateCitizenId` accepts as is (18
 * characters, no spaces, upper-case X, valid province, birth date from 1900 to
 * `asOfNumber` (YYYYMMDD) and check character). A -1 is not a rejection: the
 * caller validates that cell the usual way, for the exact reason.
 */
export function citizenIdKeyOfBytes(bytes: Uint8Array, start: number, asOfNumber: number): number {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const digit = bytes[start + i] - 48;
    if (digit < 0 || digit > 9) return -1;
    sum += digit * WEIGHTS[i];
  }
  const check = bytes[start + 17];
  if (check !== CHECK_CHARS.charCodeAt(sum % 11)) return -1;
  const at = start; // digits are bytes[at + i] - 48, written out: this runs once per row
  if (PROVINCE_BY_NUMBER[(bytes[at] - 48) * 10 + (bytes[at + 1] - 48)] !== 1) return -1;
  const year = (bytes[at + 6] - 48) * 1000 + (bytes[at + 7] - 48) * 100 + (bytes[at + 8] - 48) * 10 + (bytes[at + 9] - 48);
  const month = (bytes[at + 10] - 48) * 10 + (bytes[at + 11] - 48);
  const day = (bytes[at + 12] - 48) * 10 + (bytes[at + 13] - 48);
  if (year < MIN_BIRTH_YEAR || year > MAX_BIRTH_YEAR || !isCalendarDate(year, month, day)) return -1;
  if (year * 10000 + month * 100 + day > asOfNumber) return -1;
  let region = 0;
  for (let i = 0; i < 6; i++) region = region * 10 + (bytes[at + i] - 48);
  const dateCode = (year - 1900) * DATE_CODES + (month - 1) * 31 + (day - 1);
  const sequence = (bytes[at + 14] - 48) * 100 + (bytes[at + 15] - 48) * 10 + (bytes[at + 16] - 48);
  return (region * DATE_CODES * 200 + dateCode) * 1000 + sequence;
}

/** The key of a validated ID (same numbering as `citizenIdKeyOfBytes`). */
export function citizenIdKey(id: CitizenId): number {
  return citizenIdKeyOfBytes(Buffer.from(id, 'latin1'), 0, 99991231);
}

/** The ID a key stands for. */
export function citizenIdOfKey(key: number): CitizenId {
  const sequence = key % 1000;
  const rest = (key - sequence) / 1000;
  const dateCode = rest % (DATE_CODES * 200);
  const region = (rest - dateCode) / (DATE_CODES * 200);
  const year = 1900 + Math.floor(dateCode / DATE_CODES);
  const month = Math.floor((dateCode % DATE_CODES) / 31) + 1;
  const day = (dateCode % 31) + 1;
  const first17 = `${region}${year}${month < 10 ? '0' : ''}${month}${day < 10 ? '0' : ''}${day}${String(sequence).padStart(3, '0')}`;
  return (first17 + citizenIdCheckChar(first17)) as CitizenId;
}
