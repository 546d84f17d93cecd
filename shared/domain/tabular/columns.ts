import { maskIdsAndPhones } from '../citizen-id.ts';

export interface ColumnsCheck {
  /** Required columns not in the header, in the order they are required. */
  missing: string[];
  /** Header columns that are neither required nor optional, in file order, once each. They are ignored. */
  unknown: string[];
  /**
   * Required or optional columns that appear more than once, in file order,
   * once each: which one holds the data is ambiguous. A repeated unknown
   * column is only listed in `unknown`, since it is ignored anyway.
   */
  duplicate: string[];
  /** The first row holds data (an ID-like or phone-like value, or only numbers): the file has no header. */
  headerLooksLikeData: boolean;
  /** A header name holds a full-width comma: the file was separated with "，" instead of ",". */
  fullWidthCommas: boolean;
}

/** Unknown column names listed in a warning; the rest are counted. */
const LISTED_UNKNOWN = 20;
const NAME_CHARS = 40;

/** Compares a file's (trimmed) header with the columns of its upload kind. Column order is free. */
export function checkColumns(header: string[], required: string[], optional: string[]): ColumnsCheck {
  const known = new Set([...required, ...optional]);
  const present = new Set(header);
  const seen = new Set<string>();
  const unknown: string[] = [];
  const duplicate: string[] = [];
  for (const name of header) {
    if (seen.has(name)) {
      if (known.has(name) && !duplicate.includes(name)) duplicate.push(name);
      continue;
    }
    seen.add(name);
    if (!known.has(name)) unknown.push(name);
  }
  const missing = required.filter((name, i) => !present.has(name) && required.indexOf(name) === i);
  const headerLooksLikeData =
    header.some((name) => /\d{15}|1[3-9]\d{9}/.test(name)) || (header.length > 0 && header.every((n) => /^[\d.,\s-]+$/.test(n)));
  const fullWidthCommas = header.some((name) => name.includes('，'));
  return { missing, unknown, duplicate, headerLooksLikeData, fullWidthCommas };
}

/** A column name as shown in a message: ID and phone numbers in it masked, cut to a readable length. */
export function shownColumnName(name: string): string {
  const masked = maskIdsAndPhones(name);
  return masked.length > NAME_CHARS ? `${masked.slice(0, NAME_CHARS)}…` : masked;
}

/**
 * Messages for the summary, most serious first, e.g.
 * `缺少必填列: 身份证号, 姓名`, `列名重复: 姓名`, `已忽略未知列: 备注2`.
 * A missing or repeated column rejects the file; unknown columns are a warning.
 */
export function columnsMessages(check: ColumnsCheck): string[] {
  const messages: string[] = [];
  if (check.missing.length > 0) messages.push(`缺少必填列: ${check.missing.join(', ')}`);
  if (check.duplicate.length > 0) messages.push(`列名重复: ${check.duplicate.join(', ')}`);
  const rejected = messages.length > 0;
  if (rejected && check.fullWidthCommas) messages.push('表头用了全角逗号 “，” 分隔: CSV 的列须用半角逗号 “,” 分隔');
  if (rejected && check.headerLooksLikeData) messages.push('第一行是数据而不是表头: 请在第一行填写列名 (可下载模板)');
  // A rejected file's unknown "columns" may be a data row (names, IDs): only an accepted file lists them.
  if (!rejected && check.unknown.length > 0) {
    const listed = check.unknown.slice(0, LISTED_UNKNOWN).map(shownColumnName).join(', ');
    const more = check.unknown.length > LISTED_UNKNOWN ? ` 等 ${check.unknown.length} 列` : '';
    messages.push(`已忽略未知列: ${listed}${more}`);
  }
  return messages;
}
