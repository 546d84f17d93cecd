import { describe, expect, it } from 'vitest';
import { FREE_TEXT_COLUMNS, freeTextProblem, maskPersonalData, personalDataIn } from '../../shared/domain/free-text.ts';
import { checkColumns, columnsMessages, dataInHeaderMessage, headerLooksLikeData } from '../../shared/domain/tabular/columns.ts';
import { renderErrorsCsv } from '../../shared/domain/tabular/errors-csv.ts';
import { renderSummary, topReasons, type UploadSummary } from '../../shared/domain/upload-summary.ts';
import { parseUploadKey } from '../../shared/domain/upload-key.ts';
import { DATASET_COLUMNS } from '../../shared/domain/datasets/dataset-rows.ts';

const ID = '330602195603121210';
const MOBILE = '13812345678';

describe('finding personal data in text', () => {
  it('finds 18- and 15-digit IDs (also typed in groups or full-width) and mobile and landline numbers', () => {
    expect(personalDataIn(`身份证 ${ID} 已核实`)).toEqual(['citizen-id']);
    expect(personalDataIn('33060219560312121x')).toEqual(['citizen-id']);
    expect(personalDataIn('330602 19560312 1210')).toEqual(['citizen-id']);
    expect(personalDataIn('３３０６０２１９５６０３１２１２１０')).toEqual(['citizen-id']);
    expect(personalDataIn('330602560312121')).toEqual(['citizen-id']);
    expect(personalDataIn(`请联系${MOBILE}`)).toEqual(['phone']);
    expect(personalDataIn('+86 138 1234 5678')).toEqual(['phone']);
    expect(personalDataIn('0575-88123456')).toEqual(['phone']);
    expect(personalDataIn(`${ID} ${MOBILE}`)).toEqual(['citizen-id', 'phone']);
  });

  it('leaves ordinary text alone: dates, amounts, codes, counts, masked forms', () => {
    for (const text of [
      '2024-03-05',
      '1,040',
      '12.5%',
      'T05.leling-centers',
      '共 123456 行',
      '330602********1210',
      '138****5678',
      '户编号 HH-0012',
    ]) {
      expect(personalDataIn(text), text).toEqual([]);
      expect(maskPersonalData(text), text).toBe(text);
    }
  });

  it('masks IDs as region + last four and phones as first three + last four, and masking twice changes nothing', () => {
    const masked = maskPersonalData(`未知指标编码 ${ID},电话 ${MOBILE},座机 0575-88123456`);
    expect(masked).toBe('未知指标编码 330602********1210,电话 138****5678,座机 057*****3456');
    expect(maskPersonalData(masked)).toBe(masked);
    expect(maskPersonalData('330602 19560312 121X')).toBe('330602********121X');
  });

  it('refuses free text with a reason that names the field and never the value', () => {
    const reason = freeTextProblem('备注', `家属电话 ${MOBILE}`)!;
    expect(reason).toContain('备注');
    expect(reason).toContain('电话号码');
    expect(reason).not.toContain(MOBILE);
    expect(freeTextProblem('情况', `${ID}`)).toContain('身份证号');
    expect(freeTextProblem('情况', '入户走访,情况稳定')).toBeUndefined();
    expect([...FREE_TEXT_COLUMNS]).toEqual(expect.arrayContaining(['备注', '情况', '探访人', '描述', '医院', '病种']));
  });

  it('refuses an upload key whose file name holds an ID or a phone, naming the file name', () => {
    const parsed = parseUploadKey(`uploads/330602/roster/2024-03/${ID}.csv`);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.reason).toContain('文件名');
      expect(parsed.reason).not.toContain(ID);
    }
    expect(parseUploadKey('uploads/330602/roster/2024-03/三月名册.csv').ok).toBe(true);
  });
});

describe('results never echo personal data', () => {
  const roster = DATASET_COLUMNS.roster;
  const dataRow = [ID, '王秀英', 'HH-1', '低保', '3', '1,200', '本人', '府山街道', MOBILE];

  it('tells a header row that is really data as such, naming the required columns and none of the cells', () => {
    expect(headerLooksLikeData(dataRow, roster.required, roster.optional)).toBe(true);
    expect(headerLooksLikeData(['T05.leling-centers', '9'], ['指标编码', '累计完成值'], ['备注'])).toBe(true);
    expect(headerLooksLikeData(['2024-03-05', '甲'], ['身份证号', '探访日期'], [])).toBe(true);
    // a real header, even with unknown or misspelt columns, is still a header
    expect(headerLooksLikeData(['身份证号', '名字', '户号'], roster.required, roster.optional)).toBe(false);
    expect(headerLooksLikeData(['编码', '完成值'], ['指标编码', '累计完成值'], [])).toBe(false);
    const message = dataInHeaderMessage(roster.required);
    expect(message).toContain('首行看起来是数据而不是表头');
    expect(message).toContain('身份证号');
    expect(message).not.toMatch(/\d{6}/);
  });

  it('masks column names in the column messages', () => {
    const messages = columnsMessages(checkColumns(['身份证号', '姓名', ID, MOBILE], ['身份证号', '姓名'], []));
    expect(messages).toEqual(['已忽略未知列: 330602********1210, 138****5678']);
  });

  it('masks the column and reason cells of errors.csv', () => {
    const csv = renderErrorsCsv([
      { rowNumber: 2, column: '指标编码', reason: `未知指标编码 ${ID}` },
      { rowNumber: 3, column: MOBILE, reason: '不能为空' },
    ]);
    expect(csv).not.toContain(ID);
    expect(csv).not.toContain(MOBILE);
    expect(csv).toContain('未知指标编码 330602********1210');
    expect(csv).toContain('138****5678');
  });

  it('masks the key, reasons and warnings of summary.json, also the reasons summed up from rows', () => {
    const reasons = topReasons([{ rowNumber: 2, column: '指标编码', reason: `未知指标编码 ${ID}` }]);
    expect(reasons).toEqual(['指标编码: 未知指标编码 330602********1210 (1 行)']);
    const summary: UploadSummary = {
      status: 'rejected',
      key: `uploads/330602/progress/2024-03/${MOBILE}.csv`,
      unit: '330602',
      kind: 'progress',
      period: '2024-03',
      etag: 'e',
      versionId: null,
      sha256: null,
      rowsTotal: 1,
      rowsAccepted: 0,
      rowsRejected: 1,
      reasons: [`未知指标编码 ${ID}`],
      warnings: [`已忽略未知列: ${MOBILE}`],
      errorsKey: null,
      encoding: 'utf-8',
      processedAt: '2024-04-01T00:00:00.000Z',
    };
    const rendered = renderSummary(summary);
    expect(rendered).not.toContain(ID);
    expect(rendered).not.toContain(MOBILE);
    expect(JSON.parse(rendered).reasons).toEqual(['未知指标编码 330602********1210']);
  });
});
