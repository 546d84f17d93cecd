/** Kept apart from read-xlsx.ts so that CSV paths can name it without loading exceljs. */
export const XLSX_UNREADABLE = '无法读取 Excel 文件';
