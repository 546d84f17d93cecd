import { ElAlert, ElOption, ElSelect } from 'element-plus';
import { computed, defineComponent, onMounted, ref } from 'vue';
import type { CaseworkStats, UnitCaseworkStats } from '../../../shared/api/casework.ts';
import { unitName } from '../../../shared/domain/units.ts';
import { api } from '../api/client.ts';
import type { ChartOption } from '../charts/echarts.ts';
import { EChart } from '../components/EChart.tsx';
import { currentPeriod } from '../format.ts';

const LEVELS = [
  { key: 'red', label: '红色', color: '#d93a2f' },
  { key: 'orange', label: '橙色', color: '#e67e22' },
  { key: 'yellow', label: '黄色', color: '#e0b400' },
];

/** 统计: the casework figures by unit (alerts raised by level, on-time rates, days to act, assistance). */
export const StatsPage = defineComponent(() => {
  const year = ref(Number(currentPeriod().slice(0, 4)));
  const stats = ref<CaseworkStats>();
  const error = ref('');
  async function load() {
    error.value = '';
    try {
      stats.value = await api.stats(year.value);
    } catch (e) {
      error.value = (e as Error).message;
    }
  }
  onMounted(load);
  const names = computed(() => stats.value?.units.map((u) => u.unitName ?? unitName(u.unit)) ?? []);
  const raisedOption = computed<ChartOption>(() => ({
    animation: false,
    title: { text: '预警数量(按等级)', left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    xAxis: { type: 'category', data: names.value },
    yAxis: { type: 'value', name: '件' },
    series: LEVELS.map((l) => ({
      name: l.label,
      type: 'bar',
      stack: 'raised',
      color: l.color,
      data: stats.value?.units.map((u) => (u.raisedByLevel as Record<string, number>)[l.key] ?? 0) ?? [],
    })),
  }));
  const rateOption = computed<ChartOption>(() => ({
    animation: false,
    title: { text: '按时签收率、按时办结率、转化救助率(%)', left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    xAxis: { type: 'category', data: names.value },
    yAxis: { type: 'value', max: 100, name: '%' },
    series: [
      { name: '按时签收', type: 'bar', data: stats.value?.units.map((u) => u.acknowledgedOnTime.percent) ?? [] },
      { name: '按时办结', type: 'bar', data: stats.value?.units.map((u) => u.resolvedOnTime.percent) ?? [] },
      { name: '转化救助', type: 'bar', data: stats.value?.units.map((u) => u.ledToAssistance.percent) ?? [] },
    ],
  }));
  const daysOption = computed<ChartOption>(() => ({
    animation: false,
    title: { text: '签收、办结用时中位数(天)', left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    xAxis: { type: 'category', data: names.value },
    yAxis: { type: 'value', name: '天' },
    series: [
      { name: '签收', type: 'bar', data: stats.value?.units.map((u) => u.medianDaysToAcknowledge ?? null) ?? [] },
      { name: '办结', type: 'bar', data: stats.value?.units.map((u) => u.medianDaysToResolve ?? null) ?? [] },
    ],
  }));
  // 探访关爱率 of the latest month with data: computed from the roster and the visits, beside the reported T03.visit-rate.
  const latestVisitCare = (u: UnitCaseworkStats) => [...u.visitCare].reverse().find((m) => m.tekunMembers !== null);
  const visitCareOption = computed<ChartOption>(() => ({
    animation: false,
    title: { text: '探访关爱率:数据计算与月报填报(%)', left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    xAxis: { type: 'category', data: names.value },
    yAxis: { type: 'value', max: 100, name: '%' },
    series: [
      { name: '名册与探访记录计算', type: 'bar', data: stats.value?.units.map((u) => latestVisitCare(u)?.computedRate ?? null) ?? [] },
      { name: 'T03 月报填报', type: 'bar', data: stats.value?.units.map((u) => latestVisitCare(u)?.reportedRate ?? null) ?? [] },
    ],
  }));
  return () => (
    <section aria-labelledby="stats-title">
      <div class="page-head">
        <h2 id="stats-title">统计</h2>
        <label for="stats-year">年度</label>
        <ElSelect
          id="stats-year"
          modelValue={year.value}
          onUpdate:modelValue={(v: number) => {
            year.value = v;
            load();
          }}
          style={{ width: '110px' }}
        >
          {[year.value - 1, year.value, year.value + 1].map((y) => (
            <ElOption key={y} value={y} label={`${y}年`} />
          ))}
        </ElSelect>
      </div>
      {error.value ? <ElAlert type="error" title={error.value} closable={false} showIcon /> : null}
      {stats.value ? (
        <div class="chart-grid">
          <EChart option={raisedOption.value} label="各单位预警数量图" />
          <EChart option={rateOption.value} label="各单位按时处置率图" />
          <EChart option={daysOption.value} label="各单位处置用时图" />
          <EChart option={visitCareOption.value} label="各单位探访关爱率图" />
        </div>
      ) : null}
    </section>
  );
});
