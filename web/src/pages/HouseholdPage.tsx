import { ElAlert, ElButton, ElDescriptions, ElDescriptionsItem, ElForm, ElFormItem, ElInput, ElTag } from 'element-plus';
import { defineComponent, onMounted, ref } from 'vue';
import type { HouseholdFile } from '../../../shared/api/casework.ts';
import { api } from '../api/client.ts';
import { formatDateTime } from '../format.ts';
import { hrefOf } from '../router.ts';
import { LEVEL_TAGS } from './AlertsPage.tsx';

type Cell = string | number | boolean | null | undefined | string[];
type Columns = ReadonlyArray<readonly [key: string, label: string]>;

const cellText = (v: Cell) => (v === null || v === undefined || v === '' ? '—' : Array.isArray(v) ? v.join('、') || '—' : String(v));

/** A list of records as a plain table with Chinese column names: the household file carries masked data only. */
function recordTable(caption: string, columns: Columns, records: ReadonlyArray<object>, testId?: string) {
  if (!records.length) return <p class="muted">{caption}:暂无</p>;
  return (
    <div class="table-wrap">
      <table class="record-table" data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map(([key, label]) => (
              <th key={key} scope="col">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {records.map((r, i) => (
            <tr key={i}>
              {columns.map(([key]) => (
                <td key={key}>{cellText((r as Record<string, Cell>)[key])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const MEMBER = 'maskedId';
const FACT_TABLES: ReadonlyArray<{ kind: keyof HouseholdFile['facts']; caption: string; columns: Columns }> = [
  {
    kind: 'medicalByMonth',
    caption: '医疗费用(按月)',
    columns: [
      [MEMBER, '成员'],
      ['month', '月份'],
      ['selfPay', '个人自付(元)'],
      ['total', '医疗总费用(元)'],
    ],
  },
  {
    kind: 'employment',
    caption: '就业失业登记',
    columns: [
      [MEMBER, '成员'],
      ['type', '登记类型'],
      ['date', '日期'],
    ],
  },
  {
    kind: 'householdRegistry',
    caption: '公安户籍变动',
    columns: [
      [MEMBER, '成员'],
      ['type', '变动类型'],
      ['date', '日期'],
    ],
  },
  {
    kind: 'disability',
    caption: '残疾人证',
    columns: [
      [MEMBER, '成员'],
      ['category', '类别'],
      ['grade', '等级'],
      ['issuedOn', '发证日期'],
    ],
  },
  {
    kind: 'assets',
    caption: '财产登记',
    columns: [
      [MEMBER, '成员'],
      ['type', '类型'],
      ['registeredOn', '登记日期'],
      ['valuation', '估值(元)'],
    ],
  },
  {
    kind: 'visits',
    caption: '探访记录',
    columns: [
      [MEMBER, '成员'],
      ['date', '探访日期'],
    ],
  },
];

const ROSTER_STATUS = { current: '在册', exited: '已退出', 'not-rostered': '不在名册(主动发现)' } as const;
const MEMBER_STATUS = { current: '在册', exited: '已退出' } as const;

/** 一户一档: the household, its members, roster history, the facts the rules read and every alert. */
export const HouseholdPage = defineComponent({
  props: { householdRef: { type: String, default: '' } },
  setup(props) {
    const file = ref<HouseholdFile>();
    const error = ref('');
    const lookup = ref(props.householdRef);
    onMounted(async () => {
      if (!props.householdRef) return;
      try {
        file.value = await api.household(props.householdRef);
      } catch (e) {
        error.value = (e as Error).message;
      }
    });
    return () => (
      <section aria-labelledby="household-title">
        <div class="page-head">
          <h2 id="household-title">一户一档</h2>
        </div>
        <ElForm inline class="controls">
          <ElFormItem label="家庭编号" for="household-ref">
            <ElInput
              id="household-ref"
              modelValue={lookup.value}
              onUpdate:modelValue={(v: string) => (lookup.value = v)}
              placeholder="预警页中的家庭档案编号"
            />
          </ElFormItem>
          <ElButton type="primary" disabled={!lookup.value.trim()} onClick={() => (location.hash = hrefOf.household(lookup.value.trim()))}>
            查看
          </ElButton>
        </ElForm>
        {error.value ? <ElAlert type="error" title={error.value} closable={false} showIcon data-testid="household-error" /> : null}
        {file.value ? householdView(file.value) : null}
      </section>
    );
  },
});

function householdView(f: HouseholdFile) {
  const members = f.members.map((m) => ({
    ...m,
    status: m.status === 'exited' ? `已退出(${m.exitedPeriod ?? '—'})` : MEMBER_STATUS[m.status],
  }));
  return (
    <>
      <div class="card">
        <ElDescriptions column={2} border title="家庭信息">
          <ElDescriptionsItem label="单位">{f.unitName}</ElDescriptionsItem>
          <ElDescriptionsItem label="户编号">{f.householdNo ?? '—'}</ElDescriptionsItem>
          <ElDescriptionsItem label="名册状态">{ROSTER_STATUS[f.rosterStatus]}</ElDescriptionsItem>
          <ElDescriptionsItem label="名册期别">{f.rosterPeriod ?? '—'}</ElDescriptionsItem>
          <ElDescriptionsItem label="救助类别">{f.category ?? '—'}</ElDescriptionsItem>
          <ElDescriptionsItem label="家庭人口数">{f.householdSize ?? '—'}</ElDescriptionsItem>
          <ElDescriptionsItem label="月人均收入(元)">{f.monthlyIncomePerCapita ?? '—'}</ElDescriptionsItem>
        </ElDescriptions>
      </div>
      <div class="card">
        {recordTable(
          '家庭成员',
          [
            [MEMBER, '身份证号(脱敏)'],
            ['relation', '与户主关系'],
            ['age', '年龄'],
            ['category', '救助类别'],
            ['status', '状态'],
          ],
          members,
          'household-members',
        )}
      </div>
      <div class="card">
        {recordTable(
          '名册变动记录',
          [
            ['period', '名册期别'],
            [MEMBER, '成员'],
            ['changeLabel', '变动'],
            ['category', '救助类别'],
            ['householdSize', '家庭人口数'],
            ['monthlyIncomePerCapita', '月人均收入(元)'],
            ['previousCategory', '原救助类别'],
            ['previousMonthlyIncomePerCapita', '原月人均收入(元)'],
            ['changedFields', '变更项'],
          ],
          f.rosterHistory,
          'roster-history',
        )}
      </div>
      <div class="card">
        <h3>比对数据</h3>
        {FACT_TABLES.map((t) => recordTable(t.caption, t.columns, f.facts[t.kind]))}
      </div>
      <div class="card">
        <h3>预警与处置</h3>
        {f.alerts.length ? (
          <ul class="household-alerts" data-testid="household-alerts">
            {f.alerts.map((a) => (
              <li key={a.alertId}>
                <ElTag disableTransitions type={LEVEL_TAGS[a.level]} size="small">
                  {a.levelLabel}
                </ElTag>{' '}
                <a href={hrefOf.alert(a.alertId)}>{a.ruleTitle}</a> · {a.statusLabel} · 发现于 {formatDateTime(a.raisedAt)}
                {a.outcome ? ` · 办结结果:${a.outcome}` : ''}
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">暂无预警</p>
        )}
      </div>
    </>
  );
}
