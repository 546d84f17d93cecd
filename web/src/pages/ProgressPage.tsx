import { ElAlert, ElOption, ElSelect, ElTag } from 'element-plus';
import { computed, defineComponent, onMounted, ref } from 'vue';
import type { PlanResponse, ProgressResponse, ProgressRow } from '../../../shared/api/responses.ts';
import { api } from '../api/client.ts';
import type { ChartOption } from '../charts/echarts.ts';
import { EChart } from '../components/EChart.tsx';
import { monthsOfYear } from '../format.ts';

const STATUS_COLORS = { done: '#2e9e52', 'on-track': '#2f7ad8', 'at-risk': '#e09b00', behind: '#d93a2f' } as const;

/**
 * 工作进展: every metric × unit for a month (colour by status, value/target), and the
 * chosen metric's trend by month for a unit against its target line and its deadline.
 */
export const ProgressPage = defineComponent(() => {
  const error = ref('');
  const plan = ref<PlanResponse>();
  const byPeriod = ref<Record<string, ProgressResponse>>({});
  const period = ref('');
  const metricCode = ref('');
  const chartUnit = ref('');

  const current = computed(() => byPeriod.value[period.value]);
  const metrics = computed(() => plan.value?.workPoints.flatMap((w) => w.metrics.map((m) => ({ ...m, workPoint: w }))) ?? []);
  const cell = (code: string, unit: string): ProgressRow | undefined =>
    current.value?.rows.find((r) => r.metricCode === code && r.unit === unit);

  async function load(chosen?: string) {
    try {
      const first = await api.progress(chosen ?? '');
      const year = first.year;
      period.value = first.period;
      chartUnit.value ||= first.units[0]?.code ?? 'city';
      if (first.units.length > 2) chartUnit.value = 'city';
      const [planOfYear, ...months] = await Promise.all([
        api.plan(year),
        ...monthsOfYear(year)
          .filter((p) => p <= first.period && p !== first.period)
          .map((p) => api.progress(p)),
      ]);
      plan.value = planOfYear;
      byPeriod.value = Object.fromEntries([first, ...months].map((m) => [m.period, m]));
      // start with a metric the charted unit has reported (a district's first look is its own figures)
      const reported =
        first.rows.find((r) => r.unit === chartUnit.value && r.reported) ??
        first.rows.find((r) => r.unit === chartUnit.value && r.target !== null);
      metricCode.value ||= reported?.metricCode ?? planOfYear.workPoints[0]?.metrics[0]?.code ?? '';
    } catch (e) {
      error.value = (e as Error).message;
    }
  }
  onMounted(() => load());

  const trendOption = computed<ChartOption | undefined>(() => {
    const metric = metrics.value.find((m) => m.code === metricCode.value);
    const year = plan.value?.year;
    if (!metric || !year) return undefined;
    const months = monthsOfYear(year);
    const values = months.map(
      (p) => byPeriod.value[p]?.rows.find((r) => r.metricCode === metric.code && r.unit === chartUnit.value)?.value ?? null,
    );
    const target =
      chartUnit.value === 'city'
        ? metric.target
        : (metric.unitTargets[chartUnit.value] ??
          current.value?.rows.find((r) => r.metricCode === metric.code && r.unit === chartUnit.value)?.target);
    const deadlineMonth = metric.deadline.slice(0, 7);
    const unitLabel = current.value?.units.find((u) => u.code === chartUnit.value)?.name ?? chartUnit.value;
    return {
      animation: false,
      title: { text: `${metric.name}(${unitLabel})`, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 56, right: 40, top: 48, bottom: 48 },
      xAxis: { type: 'category', data: months.map((p) => `${Number(p.slice(5))}月`) },
      yAxis: { type: 'value', name: metric.measureUnit ?? '', max: (v: { max: number }) => Math.ceil(Math.max(v.max, target ?? 0) * 1.1) },
      series: [
        {
          name: '累计完成值',
          type: 'line',
          data: values,
          connectNulls: false,
          symbolSize: 8,
          markLine: {
            symbol: 'none',
            data: [
              ...(target !== undefined && target !== null
                ? [
                    {
                      yAxis: target,
                      name: '目标',
                      label: { formatter: `目标 ${target}`, position: 'insideEndTop' },
                      lineStyle: { color: '#d93a2f', type: 'dashed' },
                    },
                  ]
                : []),
              ...(deadlineMonth.startsWith(String(year))
                ? [
                    {
                      xAxis: `${Number(deadlineMonth.slice(5))}月`,
                      name: '截止',
                      label: { formatter: `截止 ${metric.deadline}`, position: 'insideEndTop' },
                      lineStyle: { color: '#955800' },
                    },
                  ]
                : []),
            ],
          },
        },
      ],
    };
  });

  return () => (
    <section aria-labelledby="progress-title">
      <div class="page-head">
        <h2 id="progress-title">工作进展</h2>
        {plan.value ? <span class="muted">{plan.value.title}</span> : null}
      </div>
      {error.value ? <ElAlert type="error" title={error.value} closable={false} showIcon /> : null}
      {current.value ? (
        <>
          <div class="controls">
            <label for="progress-period">月份</label>
            <ElSelect
              id="progress-period"
              modelValue={period.value}
              onUpdate:modelValue={(v: string) => load(v)}
              style={{ width: '140px' }}
            >
              {monthsOfYear(current.value.year).map((p) => (
                <ElOption key={p} value={p} label={p} />
              ))}
            </ElSelect>
            <span class="muted">截至 {current.value.asOf}</span>
            <span class="legend">
              {Object.entries(current.value.statusLabels).map(([status, label]) => (
                <span key={status}>
                  <i class={`swatch bg-${status}`} />
                  {label}
                </span>
              ))}
            </span>
          </div>
          <div class="card">
            <h3>指标趋势</h3>
            <div class="controls">
              <label for="trend-metric">指标</label>
              <ElSelect
                id="trend-metric"
                filterable
                modelValue={metricCode.value}
                onUpdate:modelValue={(v: string) => (metricCode.value = v)}
                style={{ width: '360px' }}
              >
                {metrics.value.map((m) => (
                  <ElOption key={m.code} value={m.code} label={`${m.code} ${m.name}`} />
                ))}
              </ElSelect>
              <label for="trend-unit">单位</label>
              <ElSelect
                id="trend-unit"
                modelValue={chartUnit.value}
                onUpdate:modelValue={(v: string) => (chartUnit.value = v)}
                style={{ width: '160px' }}
              >
                {current.value.units.map((u) => (
                  <ElOption key={u.code} value={u.code} label={u.name} />
                ))}
              </ElSelect>
            </div>
            {trendOption.value ? <EChart option={trendOption.value} label="指标按月趋势图" /> : null}
          </div>
          <div class="card matrix-wrap">
            <table class="matrix" aria-label={`${current.value.period} 各指标各单位完成情况`}>
              <thead>
                <tr>
                  <th scope="col">指标</th>
                  {current.value.units.map((u) => (
                    <th key={u.code} scope="col">
                      {u.shortName}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {metrics.value.map((m) => (
                  <tr key={m.code} class={{ selected: m.code === metricCode.value }}>
                    <th scope="row">
                      <button type="button" class="link" onClick={() => (metricCode.value = m.code)} title="查看趋势">
                        <span class="code">{m.code}</span> {m.name}
                      </button>
                      <div class="muted small">截止 {m.deadline}</div>
                    </th>
                    {current.value!.units.map((u) => {
                      const row = cell(m.code, u.code);
                      if (!row || row.target === null)
                        return (
                          <td key={u.code} class="na">
                            —
                          </td>
                        );
                      return (
                        <td key={u.code} class={`cell status-${row.status ?? 'unreported'}`} data-status={row.status ?? 'unreported'}>
                          <div>
                            {row.reported ? row.value : '未报'} / {row.target}
                          </div>
                          <div class="bar">
                            <span
                              style={{
                                width: `${Math.min(100, row.percent ?? 0)}%`,
                                background: row.status ? STATUS_COLORS[row.status] : '#9ca3af',
                              }}
                            />
                          </div>
                          <ElTag
                            size="small"
                            type={
                              row.status === 'done'
                                ? 'success'
                                : row.status === 'behind'
                                  ? 'danger'
                                  : row.status === 'at-risk'
                                    ? 'warning'
                                    : 'info'
                            }
                          >
                            {row.statusLabel ?? '未报送'}
                          </ElTag>
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
});
