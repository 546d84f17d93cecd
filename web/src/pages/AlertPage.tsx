import { ElAlert, ElButton, ElDescriptions, ElDescriptionsItem, ElMessage, ElTag, ElTimeline, ElTimelineItem } from 'element-plus';
import { defineComponent, onMounted, ref } from 'vue';
import type { AlertView } from '../../../shared/api/responses.ts';
import type { AssignmentRequest, ResolutionRequest, VerificationRequest } from '../../../shared/api/casework.ts';
import { api } from '../api/client.ts';
import { type ActionKind, ActionDialog } from '../components/ActionForms.tsx';
import { EVIDENCE_LABELS, evidenceValue } from '../evidence-labels.ts';
import { formatDateTime, SLA_LABELS, slaState } from '../format.ts';
import { hrefOf } from '../router.ts';
import { LEVEL_TAGS } from './AlertsPage.tsx';

/** One alert: evidence, household file link, verifications, audit trail, and the casework actions. */
export const AlertPage = defineComponent({
  props: { alertId: { type: String, required: true } },
  setup(props) {
    const alert = ref<AlertView>();
    const error = ref('');
    const dialog = ref<ActionKind>();
    const acknowledging = ref(false);

    async function load() {
      try {
        alert.value = await api.alert(props.alertId);
      } catch (e) {
        error.value = (e as Error).message;
      }
    }
    onMounted(load);

    async function acknowledge() {
      acknowledging.value = true;
      try {
        alert.value = await api.acknowledge(props.alertId);
        ElMessage.success('已签收');
      } catch (e) {
        error.value = (e as Error).message;
      } finally {
        acknowledging.value = false;
      }
    }

    async function submit(kind: ActionKind, body: unknown) {
      const id = props.alertId;
      alert.value =
        kind === 'assign'
          ? await api.assign(id, body as AssignmentRequest)
          : kind === 'verify'
            ? await api.verify(id, body as VerificationRequest)
            : await api.resolve(id, body as ResolutionRequest);
      ElMessage.success('已保存');
    }

    return () => {
      const a = alert.value;
      const resolved = a?.status === 'resolved';
      return (
        <section aria-labelledby="alert-title">
          <div class="page-head">
            <a href="#/alerts">← 预警处置</a>
            <h2 id="alert-title">{a ? a.ruleTitle : '预警'}</h2>
            {a ? (
              <ElTag type={LEVEL_TAGS[a.level]} effect={a.level === 'red' ? 'dark' : 'light'}>
                {a.levelLabel}
              </ElTag>
            ) : null}
            {a ? (
              <span class="status-label" data-testid="alert-status">
                {a.statusLabel}
              </span>
            ) : null}
          </div>
          {error.value ? <ElAlert type="error" title={error.value} closable={false} showIcon data-testid="alert-error" /> : null}
          {a ? (
            <>
              <div class="actions" role="toolbar" aria-label="处置操作">
                <ElButton type="primary" disabled={a.status !== 'open'} loading={acknowledging.value} onClick={acknowledge}>
                  签收
                </ElButton>
                <ElButton disabled={resolved} onClick={() => (dialog.value = 'assign')}>
                  分派
                </ElButton>
                <ElButton disabled={resolved} onClick={() => (dialog.value = 'verify')}>
                  核查记录
                </ElButton>
                <ElButton type="success" disabled={resolved} onClick={() => (dialog.value = 'resolve')}>
                  办结
                </ElButton>
              </div>
              <div class="card">
                <ElDescriptions column={2} border title="预警信息">
                  <ElDescriptionsItem label="单位">{a.unitName}</ElDescriptionsItem>
                  <ElDescriptionsItem label="家庭档案">
                    <a href={hrefOf.household(a.householdRef)}>查看一户一档</a>
                  </ElDescriptionsItem>
                  <ElDescriptionsItem label="发现时间">{formatDateTime(a.raisedAt)}</ElDescriptionsItem>
                  <ElDescriptionsItem label="处置时限">
                    {SLA_LABELS[slaState(a)]} · {formatDateTime(a.dueAt)}
                  </ElDescriptionsItem>
                  <ElDescriptionsItem label="乡镇街道">{a.assignment?.township ?? '未分派'}</ElDescriptionsItem>
                  <ElDescriptionsItem label="经办人">{a.assignment?.assignee ?? '未分派'}</ElDescriptionsItem>
                  <ElDescriptionsItem label="规则版本">{a.ruleSetVersion}</ElDescriptionsItem>
                  <ElDescriptionsItem label="升级次数">{a.escalations}</ElDescriptionsItem>
                  {a.outcome ? <ElDescriptionsItem label="办结结果">{a.outcome}</ElDescriptionsItem> : null}
                  {a.note ? <ElDescriptionsItem label="办结说明">{a.note}</ElDescriptionsItem> : null}
                </ElDescriptions>
              </div>
              <div class="card">
                <h3>预警依据</h3>
                {a.evidence.summary ? <p class="evidence-summary">{evidenceValue(a.evidence.summary)}</p> : null}
                <dl class="evidence">
                  {Object.entries(a.evidence)
                    .filter(([k]) => k !== 'summary')
                    .map(([k, v]) => (
                      <div key={k}>
                        <dt>{EVIDENCE_LABELS[k] ?? k}</dt>
                        <dd>{evidenceValue(v)}</dd>
                      </div>
                    ))}
                </dl>
              </div>
              <div class="card">
                <h3>核查记录</h3>
                {a.verifications?.length ? (
                  <ul class="verifications">
                    {a.verifications.map((v, i) => (
                      <li key={i}>
                        <strong>{v.visitedOn}</strong> {v.method}:{v.findings}
                        {v.recordedBy ? <span class="muted"> ({v.recordedBy})</span> : null}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p class="muted">尚无核查记录</p>
                )}
              </div>
              <div class="card">
                <h3>处置记录</h3>
                <ElTimeline>
                  {a.audit.map((entry, i) => (
                    <ElTimelineItem key={i} timestamp={formatDateTime(entry.at)}>
                      {entry.detail} <span class="muted">({entry.actor === 'system' ? '系统' : entry.actor})</span>
                    </ElTimelineItem>
                  ))}
                </ElTimeline>
              </div>
              {dialog.value ? (
                <ActionDialog kind={dialog.value} alert={a} submit={submit} onClose={() => (dialog.value = undefined)} />
              ) : null}
            </>
          ) : null}
        </section>
      );
    };
  },
});
