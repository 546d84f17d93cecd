import { Buffer } from 'node:buffer';
import type { DataValidation, Worksheet } from 'exceljs';
import { COLUMN_FORMAT_LABELS } from '../tabular/column-definition.ts';
import type { UploadTemplate } from './upload-template.ts';

/** Rows of the data sheet that get the drop-down lists and text formats (a unit's monthly file fits). */
export const TEMPLATE_DATA_ROWS = 5000;
export const DATA_SHEET = '数据';
export const GUIDE_SHEET = '填写说明';
export const LISTS_SHEET = '下拉选项';

const REQUIRED_FILL = 'FFFDE2E2';
const OPTIONAL_FILL = 'FFEFEFEF';

/**
 * The template as an .xlsx workbook. The data sheet comes first (the ingester reads the
 * first sheet) and its header row is exactly the ingester's column names: required columns
 * are marked by a red header and a note, never by renaming them. exceljs is loaded here
 * only, so an API call that serves no template never loads it.
 */
export async function templateWorkbook(template: UploadTemplate, title: string): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Safety Net (兜底)';
  const data = workbook.addWorksheet(DATA_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  const guide = workbook.addWorksheet(GUIDE_SHEET);
  const lists = workbook.addWorksheet(LISTS_SHEET, { state: 'hidden' });

  data.columns = template.columns.map((c) => ({ header: c.name, key: c.name, width: Math.max(12, c.name.length * 2 + 6) }));
  const last = TEMPLATE_DATA_ROWS + 1;
  template.columns.forEach((column, i) => {
    const index = i + 1;
    const header = data.getCell(1, index);
    header.font = { bold: true, color: { argb: column.required ? 'FFC00000' : 'FF404040' } };
    header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: column.required ? REQUIRED_FILL : OPTIONAL_FILL } };
    header.note = `${column.required ? '必填' : '选填'}:${column.description}`;
    const letter = data.getColumn(index).letter;
    // 18-digit ID numbers typed into a number cell lose their last digits: keep them text.
    if (column.format === 'citizen-id' || column.format === 'text') data.getColumn(index).numFmt = '@';
    if (column.values?.length) {
      lists.getColumn(index).values = [column.name, ...column.values];
      rangeValidations(data).add(`${letter}2:${letter}${last}`, {
        type: 'list',
        allowBlank: !column.required,
        formulae: [`'${LISTS_SHEET}'!$${letter}$2:$${letter}$${column.values.length + 1}`],
        showErrorMessage: true,
        errorStyle: 'stop',
        errorTitle: column.name,
        error: `请从下拉列表中选择:${column.values.slice(0, 8).join('、')}${column.values.length > 8 ? '……' : ''}`,
      });
    }
  });
  const example = data.addRow(template.columns.map((c) => template.exampleRow[c.name] ?? ''));
  example.font = { italic: true, color: { argb: 'FF808080' } };
  data.getCell(2, 1).note = '示例行:数据均为虚构(出生日期 1900-01-01 的身份证号),请用本单位的数据覆盖或删除本行后再上传';

  guide.columns = [
    { header: '列名', key: 'name', width: 16 },
    { header: '是否必填', key: 'required', width: 10 },
    { header: '格式', key: 'format', width: 44 },
    { header: '可选值', key: 'values', width: 48 },
    { header: '说明', key: 'description', width: 60 },
  ];
  guide.getRow(1).font = { bold: true };
  for (const c of template.columns) {
    guide.addRow({
      name: c.name,
      required: c.required ? '必填' : '选填',
      format: COLUMN_FORMAT_LABELS[c.format],
      values: c.values?.join('、') ?? '',
      description: c.description,
    });
  }
  guide.addRow([]);
  for (const line of [
    title,
    `第一行是列名,请勿修改;列的顺序可以调整,未列出的列会被忽略。红色列名为必填列,缺少必填列的文件整体拒收。`,
    `每行单独校验:有错误的行被拒收并说明原因,其余行照常接收。示例行(第 2 行,灰色斜体)请覆盖或删除。`,
    `上传时选择类型和数据期间(YYYY-MM);日期不能晚于数据期间末。`,
  ])
    guide.addRow([line]);

  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** exceljs keeps range validations (written as one `sqref`) on the sheet, but its typings omit them. */
function rangeValidations(sheet: Worksheet): { add(range: string, validation: DataValidation): void } {
  return (sheet as unknown as { dataValidations: { add(range: string, validation: DataValidation): void } }).dataValidations;
}
