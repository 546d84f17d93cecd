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
}

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
  return { missing, unknown, duplicate };
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
  if (check.unknown.length > 0) messages.push(`已忽略未知列: ${check.unknown.join(', ')}`);
  return messages;
}
