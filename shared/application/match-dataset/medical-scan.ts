import { toFen } from '../../domain/monitoring/index.ts';
import { validateDatasetRow } from '../../domain/datasets/dataset-rows.ts';
import type { CsvLines } from '../../domain/tabular/csv-lines.ts';
import type { TableRow } from '../../domain/tabular/read-table.ts';
import type { RowError } from '../../domain/upload-summary.ts';
import { monthNumber, type MedicalTally } from './medical-tally.ts';
import { MedicalLineParser } from './medical-lines.ts';
import type { PersonDirectory } from './match-context.ts';

/**
 * The single-threaded read of 医保 rows into a tally: with `lines` (a plain CSV) at byte level, a line in the
 * canonical form straight to the tally, any other through the general validation (its errors, with their row
 * numbers, go to `reject`); without, every row the general way. A block reader (medical-workers.ts) runs the
 * same on its blocks.
 */
export async function scanMedical(
  asOf: string,
  people: PersonDirectory,
  rows: AsyncIterable<TableRow>,
  lines: CsvLines | undefined,
  reject: (error: RowError) => void,
  tally: MedicalTally,
): Promise<void> {
  const addRow = (row: TableRow): void => {
    const check = validateDatasetRow('medical', row, asOf);
    if (!check.ok) {
      check.errors.forEach(reject);
      return;
    }
    const { id, date, selfPay, total } = check.value;
    tally.add(people.slotOf(id), monthNumber(date), toFen(selfPay), toFen(total));
  };
  if (!lines) {
    for await (const row of rows) addRow(row);
    return;
  }
  const parser = MedicalLineParser.of(lines, asOf);
  if (!parser) throw new Error('medical columns missing after the column check');
  await lines.scan({
    line: (bytes, start, end, rowNumber) => {
      if (parser.parse(bytes, start, end)) {
        tally.add(people.slotOfKey(parser.idKey), parser.month, parser.selfPayFen, parser.totalFen);
        return true;
      }
      const row = lines.rowOf(bytes, start, end, rowNumber);
      if (row) addRow(row);
      return row !== undefined;
    },
    row: addRow,
  });
}
