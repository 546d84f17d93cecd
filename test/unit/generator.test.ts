import { describe, expect, it } from 'vitest';
import { birthDateOf, maskCitizenId, validateCitizenId, type CitizenId } from '../../shared/domain/citizen-id.ts';
import { createPersonRefHasher } from '../../shared/domain/person-ref.ts';
import {
  assembleFacts,
  evaluateHousehold,
  evaluatePerson,
  RULE_IDS,
  ruleSetAsOf,
  type AssistanceCategory,
  type DepartmentalRecords,
  type RosterEntry,
  type RuleFinding,
} from '../../shared/domain/monitoring/index.ts';
import {
  createRandom,
  csvChunks,
  expectedHouseholdRef,
  generateDataset,
  generateRoster,
  medicalRowStream,
  MEDICAL_COLUMNS,
  plantCases,
  ROSTER_COLUMNS,
  toCsv,
  type GeneratedDataset,
} from '../../sample-data/index.ts';

const KEY = 'test-person-ref-key';
const PERIOD = '2024-06';

function idOf(raw: string): CitizenId {
  const result = validateCitizenId(raw);
  if (!result.ok) throw new Error(result.reason);
  return result.id;
}

/** What ingest + matching would produce from the generated files, kept minimal. */
function evaluateDataset(dataset: GeneratedDataset): { findings: RuleFinding[] } {
  const ref = createPersonRefHasher(KEY);
  const person = (raw: string) => {
    const id = idOf(raw);
    return { personRef: ref(id), maskedId: maskCitizenId(id), birthDate: birthDateOf(id) };
  };
  const roster: RosterEntry[] = dataset.rows.roster.map(({ unit, row }) => {
    const p = person(row.身份证号);
    return {
      unit,
      householdNo: row.户编号,
      personRef: p.personRef,
      maskedId: p.maskedId,
      birthDate: p.birthDate,
      category: row.救助类别 as AssistanceCategory,
      relation: row.与户主关系,
      householdSize: Number(row.家庭人口数),
      monthlyIncomePerCapita: Number(row.家庭月人均收入),
    };
  });
  const records: DepartmentalRecords = {
    medical: dataset.rows.medical.map(({ unit, row }) => ({
      personRef: person(row.身份证号).personRef,
      maskedId: person(row.身份证号).maskedId,
      date: row.结算日期,
      total: Number(row.医疗总费用),
      selfPay: Number(row.个人自付金额),
      sourceUnit: unit,
    })),
    employment: dataset.rows.employment.map(({ row }) => ({
      personRef: person(row.身份证号).personRef,
      type: row.事件类型 as '失业登记',
      date: row.事件日期,
    })),
    householdRegistry: dataset.rows.household.map(({ row }) => ({
      personRef: person(row.身份证号).personRef,
      type: row.事件类型 as '死亡',
      date: row.事件日期,
    })),
    disability: dataset.rows.disability.map(({ row }) => ({
      personRef: person(row.身份证号).personRef,
      category: row.残疾类别,
      grade: row.残疾等级 as '一级',
      issuedOn: row.发证日期,
    })),
    assets: dataset.rows.assets.map(({ row }) => ({
      personRef: person(row.身份证号).personRef,
      type: row.资产类型 as '机动车',
      registeredOn: row.登记日期,
      ...(row.估值 === '' ? {} : { valuation: Number(row.估值) }),
    })),
    visits: dataset.rows.visits.map(({ row }) => ({ personRef: person(row.身份证号).personRef, date: row.探访日期 })),
  };
  const { households, persons } = assembleFacts(roster, records);
  return {
    findings: [
      ...households.flatMap((h) => evaluateHousehold(h, dataset.asOf, ruleSetAsOf(dataset.asOf))),
      ...persons.flatMap((p) => evaluatePerson(p, dataset.asOf, ruleSetAsOf(dataset.asOf))),
    ],
  };
}

describe('PRNG', () => {
  it('is deterministic per seed', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom('7x');
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe('generateRoster', () => {
  const roster = generateRoster({ seed: 1, people: 2000, period: PERIOD });

  it('same seed → same rows; another seed → other rows', () => {
    expect(generateRoster({ seed: 1, people: 2000, period: PERIOD }).rows).toEqual(roster.rows);
    expect(generateRoster({ seed: 2, people: 2000, period: PERIOD }).rows).not.toEqual(roster.rows);
  });

  it('has exactly the requested people, the contract columns and valid, unique IDs', () => {
    expect(roster.rows).toHaveLength(2000);
    const ids = new Set<string>();
    for (const { row } of roster.rows) {
      expect(Object.keys(row)).toEqual([...ROSTER_COLUMNS]);
      expect(validateCitizenId(row.身份证号, { asOf: roster.asOf })).toMatchObject({ ok: true });
      ids.add(row.身份证号);
    }
    expect(ids.size).toBe(2000);
  });

  it('uses Shaoxing region codes including the older 330621 and 330682', () => {
    const prefixes = new Set(roster.rows.map(({ row }) => row.身份证号.slice(0, 6)));
    for (const code of ['330602', '330603', '330604', '330624', '330681', '330683', '330621', '330682']) expect(prefixes).toContain(code);
  });

  it('builds households of 1–5 whose rows agree on size and income', () => {
    const households = new Map<string, { size: string; income: string; count: number; category: string }>();
    for (const { unit, row } of roster.rows) {
      const key = `${unit}:${row.户编号}`;
      const h = households.get(key) ?? { size: row.家庭人口数, income: row.家庭月人均收入, count: 0, category: row.救助类别 };
      expect([row.家庭人口数, row.家庭月人均收入, row.救助类别]).toEqual([h.size, h.income, h.category]);
      h.count++;
      households.set(key, h);
    }
    for (const h of households.values()) {
      expect(h.count).toBe(Number(h.size));
      expect(h.count).toBeGreaterThanOrEqual(1);
      expect(h.count).toBeLessThanOrEqual(5);
    }
    expect(new Set([...households.values()].map((h) => h.category))).toEqual(new Set(['低保', '低边', '特困', '支出型困难']));
  });

  it('gives plausible Chinese names and mobile numbers', () => {
    for (const { row } of roster.rows.slice(0, 200)) {
      expect(row.姓名).toMatch(/^[\u4e00-\u9fff]{2,4}$/);
      expect(row.联系电话).toMatch(/^(1\d{10})?$/);
    }
  });
});

describe('planted cases', () => {
  const dataset = generateDataset({ seed: 2024, people: 3000, period: PERIOD });
  const { findings } = evaluateDataset(dataset);
  const byHousehold = new Map<string, string[]>();
  for (const f of findings) byHousehold.set(f.householdRef, [...(byHousehold.get(f.householdRef) ?? []), f.ruleId]);

  it('covers every rule with at least one trigger and one near-miss', () => {
    for (const id of RULE_IDS) {
      expect(dataset.expected.some((c) => c.ruleId === id)).toBe(true);
      expect(dataset.nearMisses.some((c) => c.ruleId === id)).toBe(true);
    }
    const caseIds = [...dataset.expected, ...dataset.nearMisses].map((c) => c.caseId);
    expect(new Set(caseIds).size).toBe(caseIds.length);
  });

  it('every planted case triggers exactly its rule', () => {
    const got = dataset.expected.map((c) => [c.caseId, byHousehold.get(expectedHouseholdRef(c, KEY)) ?? []]);
    expect(got).toEqual(dataset.expected.map((c) => [c.caseId, [c.ruleId]]));
  });

  it('every near-miss triggers nothing', () => {
    const got = dataset.nearMisses.map((c) => [c.caseId, byHousehold.get(expectedHouseholdRef(c, KEY)) ?? []]);
    expect(got).toEqual(dataset.nearMisses.map((c) => [c.caseId, []]));
  });

  it('alerts land in the case’s unit', () => {
    for (const c of dataset.expected) {
      const f = findings.find((x) => x.householdRef === expectedHouseholdRef(c, KEY));
      expect(f?.unit).toBe(c.unit);
    }
  });

  it('no evidence carries an ID number, a name or a phone of the data', () => {
    const secrets = new Set<string>();
    for (const { row } of dataset.rows.roster) {
      secrets.add(row.身份证号);
      secrets.add(row.姓名);
      if (row.联系电话) secrets.add(row.联系电话);
    }
    for (const f of findings) {
      const text = JSON.stringify(f);
      expect(text).not.toMatch(/\d{17}[\dX]/);
      for (const value of Object.values(f.evidence)) expect(secrets.has(String(value))).toBe(false);
    }
    // Names are at least two characters: scan the evidence text for any full name.
    const names = [...secrets].filter((s) => /^[\u4e00-\u9fff]+$/.test(s));
    const evidenceText = findings.map((f) => JSON.stringify(f.evidence)).join('\n');
    expect(names.filter((n) => evidenceText.includes(n))).toEqual([]);
  });

  it('plants the same cases for the same seed, and works on its own', () => {
    const again = plantCases({ seed: 2024, period: PERIOD });
    const alone = plantCases({ seed: 2024, period: PERIOD });
    expect(again).toEqual(alone);
    expect(again.expected.map((c) => c.caseId)).toEqual(dataset.expected.map((c) => c.caseId));
  });

  it('holds for another period and seed (dates relative to the period end)', () => {
    const other = generateDataset({ seed: 'feb', people: 300, period: '2024-02' });
    const { findings: f2 } = evaluateDataset(other);
    const map = new Map<string, string[]>();
    for (const f of f2) map.set(f.householdRef, [...(map.get(f.householdRef) ?? []), f.ruleId]);
    for (const c of other.expected) expect([c.caseId, map.get(expectedHouseholdRef(c, KEY))]).toEqual([c.caseId, [c.ruleId]]);
    for (const c of other.nearMisses) expect([c.caseId, map.get(expectedHouseholdRef(c, KEY)) ?? []]).toEqual([c.caseId, []]);
  });

  it('splits rows into per-unit upload files with the contract columns', () => {
    const kinds = new Set(dataset.files.map((f) => f.kind));
    expect(kinds).toEqual(new Set(['roster', 'visits', 'medical', 'employment', 'household', 'disability', 'assets']));
    const total = dataset.files.filter((f) => f.kind === 'roster').reduce((n, f) => n + f.rows.length, 0);
    expect(total).toBe(dataset.rows.roster.length);
    for (const f of dataset.files) expect(f.fileName).toBe(`${f.kind}-${PERIOD}.csv`);
  });

  it('all generated ID numbers are valid', () => {
    for (const kind of Object.keys(dataset.rows) as (keyof typeof dataset.rows)[]) {
      for (const { row } of dataset.rows[kind]) expect(validateCitizenId(row.身份证号).ok).toBe(true);
    }
  });
});

describe('CSV', () => {
  it('quotes cells with commas, quotes and line breaks; optional BOM', () => {
    const csv = toCsv(
      [
        { a: '1,234.00', b: 'say "hi"', c: 'two\nlines' },
        { a: 5, b: undefined, c: null },
      ],
      ['a', 'b', 'c'],
      { bom: true },
    );
    expect(csv).toBe('\uFEFFa,b,c\r\n"1,234.00","say ""hi""","two\nlines"\r\n5,,\r\n');
  });

  it('streams the same text as toCsv, in chunks', async () => {
    const rows = [...medicalRowStream({ seed: 3, rows: 2500, period: PERIOD })];
    const chunks: string[] = [];
    for await (const chunk of csvChunks(rows, MEDICAL_COLUMNS, { rowsPerChunk: 1000 })) chunks.push(chunk);
    expect(chunks).toHaveLength(4);
    expect(chunks.join('')).toBe(toCsv(rows, MEDICAL_COLUMNS));
  });

  it('the medical stream is lazy and deterministic (a 5M-row file is never built whole)', async () => {
    const first = medicalRowStream({ seed: 9, rows: 5_000_000, period: PERIOD, people: 100 });
    const taken = [];
    for (const row of first) {
      taken.push(row);
      if (taken.length === 3) break;
    }
    const again = medicalRowStream({ seed: 9, rows: 5_000_000, period: PERIOD, people: 100 });
    expect([again.next().value, again.next().value, again.next().value]).toEqual(taken);
    for (const row of taken) expect(validateCitizenId(row.身份证号).ok).toBe(true);
    let lines = 0;
    for await (const chunk of csvChunks(medicalRowStream({ seed: 9, rows: 50_000, period: PERIOD, people: 1000 }), MEDICAL_COLUMNS))
      lines += chunk.split('\r\n').length - 1;
    expect(lines).toBe(50_001);
  });
});
