import { maskPersonalData, personalDataIn } from '../free-text.ts';

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
  /** A header name holds a full-width comma: the file was separated with "，" instead of ",". */
  fullWidthCommas: boolean;
}

/** Unknown column names listed in a warning (the rest are counted), each cut to a readable length. */
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
  return { missing, unknown, duplicate, fullWidthCommas: header.some((name) => name.includes('，')) };
}

/**
 * Messages for the summary, most serious first, e.g.
 * `缺少必填列: 身份证号, 姓名`, `列名重复: 姓名`, `已忽略未知列: 备注2`.
 * A missing or repeated column rejects the file; unknown columns are a warning.
 */
export function columnsMessages(check: ColumnsCheck): string[] {
  const names = (list: string[]) => list.map(maskPersonalData).join(', ');
  const messages: string[] = [];
  if (check.missing.length > 0) messages.push(`缺少必填列: ${names(check.missing)}`);
  if (check.duplicate.length > 0) messages.push(`列名重复: ${names(check.duplicate)}`);
  if (messages.length > 0 && check.fullWidthCommas) messages.push('表头用了全角逗号 “，” 分隔: CSV 的列须用半角逗号 “,” 分隔');
  if (check.unknown.length > 0) {
    const cut = (name: string) => (name.length > NAME_CHARS ? `${name.slice(0, NAME_CHARS)}…` : name);
    const more = check.unknown.length > LISTED_UNKNOWN ? ` 等 ${check.unknown.length} 列` : '';
    messages.push(`已忽略未知列: ${names(check.unknown.slice(0, LISTED_UNKNOWN).map(cut))}${more}`);
  }
  return messages;
}

// Cells no header would hold: ID or phone numbers, dates, numbers (with separators, a sign, a percent).
const DATA_LIKE = [/^\d{4}[-/.年]\d{1,2}([-/.月]\d{1,2}日?)?$/, /^[-+]?[\d,，]*\.?\d+%?$/];

/**
 * A header row that is really a data row (the header was left out): no known
 * column name in it, and cells that look like data. Said as such, instead of
 * listing the "unknown columns", which would be the first person's data.
 */
export function headerLooksLikeData(header: string[], required: readonly string[], optional: readonly string[]): boolean {
  const known = new Set([...required, ...optional]);
  if (header.some((name) => known.has(name))) return false;
  return header.some((cell) => personalDataIn(cell).length > 0 || DATA_LIKE.some((pattern) => pattern.test(cell)));
}

/** The summary's reason for a header row that looks like data; names the expected columns, never the cells. */
export function dataInHeaderMessage(required: readonly string[]): string {
  return `首行看起来是数据而不是表头(没有任何已知列名):第 1 行应为列名,必填列为 ${required.join(', ')}`;
}
