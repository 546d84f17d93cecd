import { ElAlert, ElButton, ElOption, ElSelect, ElTable, ElTableColumn, ElTag } from 'element-plus';
import { computed, defineComponent, onMounted, reactive, ref } from 'vue';
import type { AlertSummaryView } from '../../../shared/api/responses.ts';
import { RULE_IDS, RULE_TITLES } from '../../../shared/domain/monitoring/rule-ids.ts';
import { REPORTING_UNITS } from '../../../shared/domain/units.ts';
import { api } from '../api/client.ts';
import { formatDateTime, SLA_LABELS, slaState } from '../format.ts';
import { hrefOf } from '../router.ts';
import { session } from '../session.ts';

export const LEVEL_TAGS = { red: 'danger', orange: 'warning', yellow: 'warning' } as const;
const STATUS_OPTIONS = [
  { value: 'open', label: '待处理' },
  { value: 'acknowledged', label: '已确认' },
  { value: 'resolved', label: '已办结' },
];
const LEVEL_OPTIONS = [
  { value: 'red', label: '红色预警' },
  { value: 'orange', label: '橙色预警' },
  { value: 'yellow', label: '黄色预警' },
];

/** 预警处置: the queue, newest first, filtered by level, unit, status and rule, with each alert's SLA state. */
export const AlertsPage = defineComponent(() => {
  const filters = reactive({ level: '', unit: '', status: 'open', rule: '' });
  const alerts = ref<AlertSummaryView[]>([]);
  const nextCursor = ref<string | null>(null);
  const error = ref('');
  const loading = ref(false);

  async function load(more = false) {
    loading.value = true;
    error.value = '';
    try {
      const page = await api.alerts({
        level: filters.level || undefined,
        unit: filters.unit || undefined,
        status: filters.status || undefined,
        limit: 100,
        cursor: more ? (nextCursor.value ?? undefined) : undefined,
      });
      alerts.value = more ? [...alerts.value, ...page.alerts] : page.alerts;
      nextCursor.value = page.nextCursor;
    } catch (e) {
      error.value = (e as Error).message;
    } finally {
      loading.value = false;
    }
  }
  onMounted(() => load());
  // The API filters by level, unit and status; the rule is narrowed here.
  const shown = computed(() => alerts.value.filter((a) => !filters.rule || a.ruleId === filters.rule));

  const select = (id: string, label: string, key: keyof typeof filters, options: Array<{ value: string; label: string }>) => (
    <span class="filter">
      <label for={id}>{label}</label>
      <ElSelect
        id={id}
        clearable
        placeholder="全部"
        modelValue={filters[key]}
        onUpdate:modelValue={(v: string) => {
          filters[key] = v ?? '';
          if (key !== 'rule') load();
        }}
        style={{ width: key === 'rule' ? '240px' : '140px' }}
      >
        {options.map((o) => (
          <ElOption key={o.value} value={o.value} label={o.label} />
        ))}
      </ElSelect>
    </span>
  );

  return () => (
    <section aria-labelledby="alerts-title">
      <div class="page-head">
        <h2 id="alerts-title">预警处置</h2>
      </div>
      <div class="controls">
        {select('filter-level', '等级', 'level', LEVEL_OPTIONS)}
        {session.isCity.value
          ? select(
              'filter-unit',
              '单位',
              'unit',
              REPORTING_UNITS.filter((u) => u.role === 'district').map((u) => ({ value: u.code, label: u.name })),
            )
          : null}
        {select('filter-status', '状态', 'status', STATUS_OPTIONS)}
        {select(
          'filter-rule',
          '规则',
          'rule',
          RULE_IDS.map((id) => ({ value: id, label: RULE_TITLES[id] })),
        )}
      </div>
      {error.value ? <ElAlert type="error" title={error.value} closable={false} showIcon /> : null}
      <ElTable data={shown.value} emptyText="没有符合条件的预警" class="alert-table" rowKey="alertId">
        {{
          default: () => [
            <ElTableColumn label="等级" width="110">
              {{
                default: ({ row }: { row: AlertSummaryView }) => (
                  <ElTag type={LEVEL_TAGS[row.level]} effect={row.level === 'red' ? 'dark' : 'light'}>
                    {row.levelLabel}
                  </ElTag>
                ),
              }}
            </ElTableColumn>,
            <ElTableColumn label="预警事项" minWidth="220">
              {{ default: ({ row }: { row: AlertSummaryView }) => <a href={hrefOf.alert(row.alertId)}>{row.ruleTitle}</a> }}
            </ElTableColumn>,
            <ElTableColumn label="单位" prop="unitName" width="140" />,
            <ElTableColumn label="状态" prop="statusLabel" width="90" />,
            <ElTableColumn label="处置时限" width="190">
              {{
                default: ({ row }: { row: AlertSummaryView }) => {
                  const state = slaState(row);
                  return (
                    <span class={`sla sla-${state}`} data-sla={state}>
                      {SLA_LABELS[state]} · {formatDateTime(row.dueAt).slice(0, 10)}
                    </span>
                  );
                },
              }}
            </ElTableColumn>,
            <ElTableColumn label="发现时间" width="160">
              {{ default: ({ row }: { row: AlertSummaryView }) => formatDateTime(row.raisedAt) }}
            </ElTableColumn>,
          ],
        }}
      </ElTable>
      {nextCursor.value ? (
        <ElButton class="more" onClick={() => load(true)}>
          加载更多
        </ElButton>
      ) : null}
    </section>
  );
});
