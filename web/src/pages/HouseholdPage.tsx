import { ElAlert, ElButton, ElDescriptions, ElDescriptionsItem, ElForm, ElFormItem, ElInput } from 'element-plus';
import { defineComponent, onMounted, ref } from 'vue';
import type { HouseholdFile } from '../../../shared/api/casework.ts';
import { api } from '../api/client.ts';
import { hrefOf } from '../router.ts';

/** A list of records as a plain table: the household file's sections carry masked data only. */
function recordTable(caption: string, records: Array<Record<string, unknown>> | undefined) {
  if (!records?.length) return <p class="muted">{caption}:暂无</p>;
  const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
  return (
    <div class="table-wrap">
      <table class="record-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {records.map((r, i) => (
            <tr key={i}>
              {columns.map((c) => (
                <td key={c}>{typeof r[c] === 'object' && r[c] !== null ? JSON.stringify(r[c]) : String(r[c] ?? '—')}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

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
        {file.value ? (
          <>
            <div class="card">
              <ElDescriptions column={2} border title="家庭信息">
                <ElDescriptionsItem label="单位">{file.value.unitName ?? file.value.unit}</ElDescriptionsItem>
                <ElDescriptionsItem label="户编号">{file.value.householdNo ?? '—'}</ElDescriptionsItem>
                <ElDescriptionsItem label="救助类别">{file.value.category ?? '—'}</ElDescriptionsItem>
              </ElDescriptions>
            </div>
            <div class="card">{recordTable('家庭成员', file.value.members)}</div>
            <div class="card">{recordTable('名册记录', file.value.rosterHistory)}</div>
            <div class="card">
              {Object.entries(file.value.facts ?? {}).map(([kind, records]) =>
                recordTable(kind, Array.isArray(records) ? (records as Array<Record<string, unknown>>) : [{ 值: records }]),
              )}
            </div>
            <div class="card">
              <h3>预警与处置</h3>
              <ul>
                {(file.value.alerts ?? []).map((a) => (
                  <li key={String(a.alertId)}>
                    <a href={hrefOf.alert(String(a.alertId))}>{String(a.ruleTitle ?? a.ruleId)}</a> · {String(a.statusLabel ?? a.status)}
                    {a.outcome ? ` · ${String(a.outcome)}` : ''}
                  </li>
                ))}
              </ul>
            </div>
          </>
        ) : null}
      </section>
    );
  },
});
