import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allAlerts } from '../support/alerts.ts';
import { settle, startTestPlatform, type TestPlatform } from '../support/local-platform.ts';
import { citizen, csv, localHasher } from '../support/citizens.ts';
import type { StoredAlert } from '../../shared/adapters/alert-store.ts';
import { loadFacts, recordsOf } from '../../shared/adapters/person-facts-store.ts';
import { sourceOf } from '../../shared/application/upload-pipeline/fact-source.ts';
import { maskCitizenId, type CitizenId } from '../../shared/domain/citizen-id.ts';
import { personHouseholdRef } from '../../shared/domain/monitoring/index.ts';
import { resultKeys } from '../../shared/domain/upload-key.ts';
import type { EventBridgeEnvelope } from '../../local/event-envelope.ts';

const PERIOD = '2024-06';
const UNIT = '330602';
const MEDICAL_KEY = `uploads/${UNIT}/medical/${PERIOD}/医保结算-六月.csv`;

// 越城's roster: 低保 households, so the roster itself raises no alert.
const a1 = citizen('330602', '1980-01-01', 11);
const a2 = citizen('330602', '1982-02-02', 12);
const c1 = citizen('330621', '1984-03-03', 13); // older 绍兴县 code: residence comes from the roster
const d1 = citizen('330602', '1945-04-04', 15);
const d2 = citizen('330602', '1940-05-05', 16);
const e1 = citizen('330602', '1990-06-06', 17);
const f1 = citizen('330602', '1970-07-07', 19);
const ROSTER = csv(
  ['身份证号', '姓名', '户编号', '救助类别', '家庭人口数', '家庭月人均收入'],
  [
    [a1, '张一', 'H-A', '低保', 2, 600], // annual income 14,400: 60 % is 8,640
    [a2, '李二', 'H-A', '低保', 2, 600],
    [c1, '王三', 'H-C', '低保', 1, 700],
    [d1, '赵四', 'H-D', '低保', 2, 650],
    [d2, '钱五', 'H-D', '低保', 2, 650],
    [e1, '孙六', 'H-E', '低保', 1, 700],
    [f1, '周七', 'H-F', '低保', 1, 700],
  ],
);

// People on no roster.
const catastrophic = citizen('330603', '1960-01-01', 21); // exactly 50,000 in 12 months
const nearMiss = citizen('330604', '1961-02-02', 23); // 49,999.99
const windowEdge = citizen('330602', '1962-03-03', 25); // 45,000 inside, 10,000 exactly 12 months back
const small = citizen('330602', '1963-04-04', 27);
const badCheckDigit = a1.slice(0, 17) + (a1[17] === '0' ? '1' : '0');

const MEDICAL_HEADER = ['身份证号', '结算日期', '医疗总费用', '个人自付金额', '医院', '病种'];
const GOOD_MEDICAL_ROWS: Array<Array<string | number>> = [
  [catastrophic, '2024-03-10', 80000, 30000, '绍兴市人民医院', '恶性肿瘤'],
  [catastrophic, '2024/6/5', 50000, 20000, '绍兴市人民医院', '恶性肿瘤'],
  [nearMiss, '2024-02-01', 60000, 25000, '绍兴市中心医院', '恶性肿瘤'],
  [nearMiss, '2024-06-20', 60000, 24999.99, '绍兴市中心医院', '恶性肿瘤'],
  [windowEdge, '2023-06-30', 20000, 10000, '越城区人民医院', '心脏病'],
  [windowEdge, '2024-01-15', 100000, 45000, '越城区人民医院', '心脏病'],
  [a1, '2024-04-02', 9000, 3000, '越城区人民医院', '肺炎'],
  [a1, '2024-05-02', 9000, 2000, '越城区人民医院', '肺炎'],
  [a2, '2024-06-12', 8000, 4000, '越城区人民医院', '骨折'],
  [small, '2024-05-05', '"1,500.00"', 300, '越城区人民医院', '感冒'],
];
const BAD_MEDICAL_ROWS: Array<Array<string | number>> = [
  [badCheckDigit, '2024-05-01', 100, 10, '越城区人民医院', '感冒'], // row 12
  [a1, '2024-05-03', 100, 200, '越城区人民医院', '感冒'], // 13: self-pay above total
  [a1, '2024-07-01', 100, 10, '越城区人民医院', '感冒'], // 14: after the period
  [a2, '', 100, 10, '越城区人民医院', '感冒'], // 15: no date
  [small, '2024-05-05', -5, 0, '越城区人民医院', '感冒'], // 16: negative
];
const gbk = (text: string) => iconv.encode(text, 'gbk');
const ALL_IDS = [a1, a2, c1, d1, d2, e1, f1, catastrophic, nearMiss, windowEdge, small, badCheckDigit];

const fingerprint = (alerts: StoredAlert[]) => alerts.map((a) => `${a.alertId}@${a.revision}:${JSON.stringify(a.evidence)}`);
const ofType = (events: EventBridgeEnvelope[], type: string) =>
  events.filter((e) => e['detail-type'] === type).map((e) => e.detail as Record<string, unknown>);

describe('matching departmental data against the roster, end to end', () => {
  let p: TestPlatform;
  let hash: (id: CitizenId) => string;

  beforeAll(async () => {
    p = await startTestPlatform({ clockDate: '2024-07-02' });
    hash = await localHasher(p.dataDir);
    const roster = await p.upload(`uploads/${UNIT}/roster/${PERIOD}/名册.csv`, ROSTER);
    expect(roster.status).toBe('accepted');
    expect(await allAlerts()).toEqual([]);
  });
  afterAll(async () => p?.close());

  describe('medical (医保结算), GBK encoded', () => {
    let alerts: StoredAlert[];
    let events: EventBridgeEnvelope[];

    beforeAll(async () => {
      const summary = await p.upload(MEDICAL_KEY, gbk(csv(MEDICAL_HEADER, [...GOOD_MEDICAL_ROWS, ...BAD_MEDICAL_ROWS])));
      expect(summary).toMatchObject({ status: 'partial', encoding: 'gb18030', rowsTotal: 15, rowsAccepted: 10, rowsRejected: 5 });
      alerts = await allAlerts();
      events = await p.archivedEvents();
    });

    it('reports each bad row with its row number, column and reason, and says what was matched', async () => {
      const summary = JSON.parse((await p.text(resultKeys(MEDICAL_KEY).summaryKey))!);
      const errors = (await p.text(resultKeys(MEDICAL_KEY).errorsKey))!;
      const lines = errors
        .replace(/^\uFEFF/, '')
        .trim()
        .split(/\r?\n/);
      expect(lines[0]).toBe('行号,列,原因');
      expect(lines.slice(1)).toEqual([
        expect.stringMatching(/^12,身份证号,.*校验位错误/),
        expect.stringMatching(/^13,个人自付金额,.*不能大于医疗总费用/),
        expect.stringMatching(/^14,结算日期,.*晚于数据期间末 2024-06-30/),
        expect.stringMatching(/^15,结算日期,.*不能为空/),
        expect.stringMatching(/^16,医疗总费用,.*不能为负数/),
      ]);
      const warnings = summary.warnings.join('\n');
      expect(warnings).toContain('在册人员 2 人（3 行）');
      expect(warnings).toMatch(/关注线 25,000\.00 元或已在关注名单的 3 人（6 行）已入库.*其余 1 人的 1 行/);
      expect(warnings).toContain('监测预警：新增 2 条');
    });

    it('raises catastrophic-medical for the outsider at exactly 50,000 and medical-burden for the household, nothing for the near-misses', () => {
      expect(alerts.map((a) => [a.ruleId, a.householdRef, a.unit, a.level])).toEqual(
        expect.arrayContaining([
          ['catastrophic-medical', personHouseholdRef(hash(catastrophic)), UNIT, 'orange'],
          ['medical-burden', `${UNIT}:H-A`, UNIT, 'orange'],
        ]),
      );
      expect(alerts).toHaveLength(2);
      const outsider = alerts.find((a) => a.ruleId === 'catastrophic-medical')!;
      expect(outsider.evidence).toMatchObject({ members: maskCitizenId(catastrophic), selfPayInWindow: 50000, rostered: false });
      const burden = alerts.find((a) => a.ruleId === 'medical-burden')!;
      expect(burden.evidence).toMatchObject({ selfPayInWindow: 9000, householdAnnualIncome: 14400, thresholdPercent: 60 });
      expect(outsider.dueAt).toBe('2024-07-07'); // judged as of the period's end, 2024-06-30
    });

    it('keeps the watched outsiders (with their months) and drops the small one', async () => {
      const source = sourceOf(MEDICAL_KEY);
      const facts = await loadFacts(
        [nearMiss, windowEdge, small, a1].map((id) => hash(id)),
        ['medical'],
      );
      expect(facts.get(hash(nearMiss))?.[0].sources[source]).toEqual([
        { month: '2024-02', selfPay: 25000, total: 60000, claims: 1 },
        { month: '2024-06', selfPay: 24999.99, total: 60000, claims: 1 },
      ]);
      expect(facts.get(hash(windowEdge))?.[0].sources[source]).toHaveLength(2);
      expect(facts.has(hash(small))).toBe(false);
      expect(facts.get(hash(a1))?.[0]).toMatchObject({
        maskedId: maskCitizenId(a1),
        sources: {
          [source]: [
            { month: '2024-04', selfPay: 3000, total: 9000, claims: 1 },
            { month: '2024-05', selfPay: 2000, total: 9000, claims: 1 },
          ],
        },
      });
    });

    it('archives "Monitoring Alert Raised" with masked evidence and "Data Matched" only for the people behind them', () => {
      const raised = ofType(events, 'Monitoring Alert Raised');
      expect(raised.map((d) => d.ruleId).sort()).toEqual(['catastrophic-medical', 'medical-burden']);
      expect(raised.find((d) => d.ruleId === 'catastrophic-medical')!.evidence).toMatchObject({
        members: maskCitizenId(catastrophic),
        selfPayInWindow: 50000,
      });
      expect(raised.find((d) => d.ruleId === 'medical-burden')!.evidence).toMatchObject({ selfPayInWindow: 9000, burdenPercent: 62.5 });
      const matched = ofType(events, 'Data Matched');
      expect(matched.map((d) => d.personRef).sort()).toEqual([hash(a1), hash(a2), hash(catastrophic)].sort());
      for (const d of matched)
        expect(d).toMatchObject({
          source: 'medical',
          unit: UNIT,
          uploadKey: MEDICAL_KEY,
          facts: { maskedId: expect.stringMatching(/\*{8}/) },
        });
      expect(matched.find((d) => d.personRef === hash(catastrophic))).toMatchObject({
        observedAt: '2024-06-30',
        facts: { claims: 2, months: 2, selfPayInWindow: 50000 },
      });
    });

    it('puts no ID number anywhere on the bus or in the results', async () => {
      const places = [
        JSON.stringify(await p.archivedEvents()),
        (await p.text(resultKeys(MEDICAL_KEY).errorsKey))!,
        (await p.text(resultKeys(MEDICAL_KEY).summaryKey))!,
      ];
      for (const text of places) for (const id of ALL_IDS) expect(text).not.toContain(id);
    });

    it('the same event again, or the same bytes under another key, changes nothing', async () => {
      const before = fingerprint(await allAlerts());
      const eventsBefore = (await p.archivedEvents()).length;
      const body = gbk(csv(MEDICAL_HEADER, [...GOOD_MEDICAL_ROWS, ...BAD_MEDICAL_ROWS]));
      await p.upload(MEDICAL_KEY, body); // same key, same bytes: a redelivered notification
      const copy = await p.upload(`uploads/${UNIT}/medical/${PERIOD}/医保结算-六月-副本.csv`, body);
      expect(copy).toMatchObject({ status: 'rejected', rowsTotal: 15 });
      expect(copy.reasons[0]).toContain('与已处理的文件 医保结算-六月.csv 内容完全相同');
      expect(fingerprint(await allAlerts())).toEqual(before);
      // Only the copy's rejection goes out: no alert, no Data Matched.
      const added = (await p.archivedEvents()).slice(eventsBefore).filter((e) => e.source === 'safety-net');
      expect(
        added
          .filter((e) => e['detail-type'] !== 'Notification Sent')
          .map((e) => [e['detail-type'], (e.detail as { status?: string }).status]),
      ).toEqual([['Upload Processed', 'rejected']]);
    });

    it('a new version of the key is matched again: identical alerts, and people it no longer lists are cleared', async () => {
      const before = fingerprint(await allAlerts());
      const reordered = await p.upload(MEDICAL_KEY, gbk(csv(MEDICAL_HEADER, [...GOOD_MEDICAL_ROWS].reverse())));
      expect(reordered).toMatchObject({ status: 'accepted', rowsTotal: 10 });
      expect(fingerprint(await allAlerts())).toEqual(before);

      const withoutNearMiss = GOOD_MEDICAL_ROWS.filter((r) => r[0] !== nearMiss);
      const corrected = await p.upload(MEDICAL_KEY, gbk(csv(MEDICAL_HEADER, withoutNearMiss)));
      expect(corrected.warnings.join()).toContain('已撤销本文件旧版本中 1 人的记录');
      const facts = await loadFacts([hash(nearMiss), hash(catastrophic)], ['medical']);
      // one item per (person, kind, source): the cleared person's item of this source is gone
      expect(recordsOf(facts.get(hash(nearMiss)), 'medical')).toEqual([]);
      expect(Object.keys(facts.get(hash(catastrophic))![0].sources)).toEqual([sourceOf(MEDICAL_KEY)]);
      expect(fingerprint(await allAlerts())).toEqual(before);
    });

    it('a later extract adds to a watched outsider: 49,999.99 + 0.01 reaches the threshold', async () => {
      // The corrected version above dropped the near-miss; put it back, then a July extract brings one more 分.
      await p.upload(
        `uploads/${UNIT}/medical/${PERIOD}/医保结算-补充.csv`,
        gbk(
          csv(
            MEDICAL_HEADER,
            GOOD_MEDICAL_ROWS.filter((r) => r[0] === nearMiss),
          ),
        ),
      );
      expect((await allAlerts()).some((a) => a.householdRef === personHouseholdRef(hash(nearMiss)))).toBe(false);
      const july = await p.upload(
        `uploads/${UNIT}/medical/2024-07/医保结算-七月.csv`,
        gbk(csv(MEDICAL_HEADER, [[nearMiss, '2024-07-03', 10, 0.01, '绍兴市中心医院', '复查']])),
      );
      expect(july.warnings.join()).toContain('已在关注名单的 1 人（1 行）已入库');
      const alert = (await allAlerts()).find((a) => a.householdRef === personHouseholdRef(hash(nearMiss)));
      expect(alert).toMatchObject({ ruleId: 'catastrophic-medical', evidence: { selfPayInWindow: 50000, claimCount: 3 } });
    });

    it('two extracts touching the same household at once: both are stored, and the rule judges their sum', async () => {
      // H-A (a1, a2) already carries 9,000 of self-pay from the first extract: the household's alert must see all three sources.
      const keys = ['甲', '乙'].map((name) => `uploads/${UNIT}/medical/${PERIOD}/医保结算-${name}.csv`);
      const [first, second] = keys.map((_, i) =>
        gbk(csv(MEDICAL_HEADER, [[a1, `2024-06-0${i + 1}`, 6000, 3000, '越城区人民医院', '肺炎']])),
      );
      await Promise.all([p.put(keys[0], first), p.put(keys[1], second)]);
      await settle(p.platform);
      const facts = await loadFacts([hash(a1)], ['medical']);
      expect(Object.keys(facts.get(hash(a1))![0].sources).sort()).toEqual([MEDICAL_KEY, ...keys].map(sourceOf).sort());
      const burden = (await allAlerts()).find((a) => a.ruleId === 'medical-burden' && a.householdRef === `${UNIT}:H-A`);
      expect(burden?.evidence).toMatchObject({ selfPayInWindow: 15000 });
    });
  });

  describe('employment, household, disability and assets each raise their rule for a rostered member', () => {
    const outsider = citizen('330602', '1985-08-08', 31);
    const cases = [
      {
        kind: 'employment',
        header: ['身份证号', '事件类型', '事件日期'],
        rows: [
          [c1, '失业登记', '2024-06-10'],
          [outsider, '失业登记', '2024-06-11'],
        ],
        person: c1,
        household: 'H-C',
        rule: 'unemployment',
        types: '失业登记',
      },
      {
        kind: 'household',
        header: ['身份证号', '事件类型', '事件日期'],
        rows: [
          [d2, '死亡', '2024-06-15'],
          [outsider, '迁入', '2024-06-01'],
        ],
        person: d2,
        household: 'H-D',
        rule: 'death-in-household',
        types: '死亡',
      },
      {
        kind: 'disability',
        header: ['身份证号', '残疾类别', '残疾等级', '发证日期'],
        rows: [[e1, '肢体', '一级', '2024-05-01']],
        person: e1,
        household: 'H-E',
        rule: 'new-severe-disability',
        types: '一级',
      },
      {
        kind: 'assets',
        header: ['身份证号', '资产类型', '登记日期', '估值', '描述'],
        rows: [
          [f1, '不动产', '2024-04-01', 600000, '住宅'],
          [outsider, '机动车', '2024-04-01', 90000, '轿车'],
        ],
        person: f1,
        household: 'H-F',
        rule: 'asset-property',
        types: '不动产',
      },
    ] as const;

    it.each(cases)('$kind → $rule', async ({ kind, header, rows, person, household, rule, types }) => {
      const key = `uploads/${UNIT}/${kind}/${PERIOD}/${kind}-六月.csv`;
      const summary = await p.upload(
        key,
        csv(
          [...header],
          rows.map((r) => [...r]),
        ),
      );
      expect(summary).toMatchObject({ status: 'accepted', rowsAccepted: rows.length });
      expect(summary.warnings.join()).toContain('在册人员 1 人（1 行）');
      if (rows.length > 1) expect(summary.warnings.join()).toContain('非在册人员 1 人的 1 行未入库');

      const alerts = (await allAlerts()).filter((a) => a.householdRef === `${UNIT}:${household}`);
      expect(alerts.map((a) => a.ruleId)).toEqual([rule]);
      expect(JSON.stringify(alerts[0].evidence)).toContain(maskCitizenId(person));

      const matched = ofType(await p.archivedEvents(), 'Data Matched').filter((d) => d.uploadKey === key);
      expect(matched).toEqual([
        expect.objectContaining({
          source: kind,
          personRef: hash(person),
          unit: UNIT,
          facts: expect.objectContaining({ maskedId: maskCitizenId(person), records: 1, types }),
        }),
      ]);
      const text = JSON.stringify(matched);
      for (const id of ALL_IDS) expect(text).not.toContain(id);
      expect(text).not.toContain(outsider);
    });
  });
});
