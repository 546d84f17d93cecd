import { defineComponent, onBeforeUnmount, onMounted, type PropType, ref, watch } from 'vue';
import { type ChartOption, echarts } from '../charts/echarts.ts';

/** One ECharts chart; `label` is what a screen reader hears (the chart itself is a canvas). */
export const EChart = defineComponent({
  props: {
    option: { type: Object as PropType<ChartOption>, required: true },
    label: { type: String, required: true },
    height: { type: String, default: '320px' },
  },
  setup(props) {
    const el = ref<HTMLDivElement>();
    let chart: echarts.ECharts | undefined;
    const resize = () => chart?.resize();
    onMounted(() => {
      chart = echarts.init(el.value!, undefined, { renderer: 'canvas' });
      chart.setOption(props.option);
      window.addEventListener('resize', resize);
    });
    watch(
      () => props.option,
      (option) => chart?.setOption(option, true),
    );
    onBeforeUnmount(() => {
      window.removeEventListener('resize', resize);
      chart?.dispose();
    });
    return () => (
      <div ref={el} class="chart" role="img" aria-label={props.label} data-chart={props.label} style={{ height: props.height }} />
    );
  },
});
