import {
  ElAlert,
  ElButton,
  ElDatePicker,
  ElDialog,
  ElForm,
  ElFormItem,
  ElInput,
  ElOption,
  ElRadioButton,
  ElRadioGroup,
  ElSelect,
} from 'element-plus';
import { defineComponent, type PropType, reactive, ref } from 'vue';
import type { z } from 'zod';
import {
  assignmentRequestSchema,
  resolutionRequestSchema,
  VERIFICATION_METHODS,
  verificationRequestSchema,
} from '../../../shared/api/casework.ts';
import type { AlertView } from '../../../shared/api/responses.ts';
import { ALERT_OUTCOMES } from '../../../shared/domain/alerts/monitoring-alert.ts';
import { ApiFailure } from '../api/client.ts';
import { shanghaiToday } from '../format.ts';

export type ActionKind = 'assign' | 'verify' | 'resolve';

const TITLES: Record<ActionKind, string> = { assign: '分派', verify: '核查记录', resolve: '办结' };

/** Field errors from a zod parse (client side) or the API's 400 issues (server side), by field name. */
function fieldErrors(issues: Array<{ path: ReadonlyArray<PropertyKey>; message: string }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? '');
    out[field] ??= issue.message;
  }
  return out;
}

/**
 * The 分派 / 核查记录 / 办结 forms in one dialog: each validates with the same schema
 * the API validates with before it is sent; the API's refusal is shown beside the fields.
 * Full-screen on a phone (caseworkers record a visit in the field).
 */
export const ActionDialog = defineComponent({
  props: {
    kind: { type: String as PropType<ActionKind>, required: true },
    alert: { type: Object as PropType<AlertView>, required: true },
    submit: { type: Function as PropType<(kind: ActionKind, body: unknown) => Promise<void>>, required: true },
    onClose: { type: Function as PropType<() => void>, required: true },
  },
  setup(props) {
    const today = shanghaiToday();
    const form = reactive({
      township: props.alert.assignment?.township ?? '',
      assignee: props.alert.assignment?.assignee ?? '',
      note: '',
      visitedOn: today,
      method: '入户核查',
      findings: '',
      outcome: '',
    });
    const errors = ref<Record<string, string>>({});
    const failure = ref('');
    const busy = ref(false);
    const phone = window.matchMedia('(max-width: 640px)').matches;

    function bodyOf(): z.ZodSafeParseResult<unknown> {
      if (props.kind === 'assign')
        return assignmentRequestSchema.safeParse({ township: form.township, assignee: form.assignee, note: form.note || undefined });
      if (props.kind === 'verify')
        return verificationRequestSchema(today).safeParse({ visitedOn: form.visitedOn, method: form.method, findings: form.findings });
      return resolutionRequestSchema.safeParse({ outcome: form.outcome, note: form.note });
    }

    async function send() {
      failure.value = '';
      const parsed = bodyOf();
      if (!parsed.success) {
        errors.value = fieldErrors(parsed.error.issues);
        return;
      }
      errors.value = {};
      busy.value = true;
      try {
        await props.submit(props.kind, parsed.data);
        props.onClose();
      } catch (e) {
        if (e instanceof ApiFailure && e.issues.length) errors.value = fieldErrors(e.issues);
        failure.value = (e as Error).message;
      } finally {
        busy.value = false;
      }
    }

    const text = (field: 'township' | 'assignee' | 'note' | 'findings', label: string, textarea = false) => (
      <ElFormItem label={label} for={`action-${field}`} error={errors.value[field]} required={field !== 'note' || props.kind === 'resolve'}>
        <ElInput
          id={`action-${field}`}
          type={textarea ? 'textarea' : 'text'}
          rows={textarea ? 4 : undefined}
          modelValue={form[field]}
          onUpdate:modelValue={(v: string) => (form[field] = v)}
          placeholder={textarea ? '请勿填写完整身份证号或手机号' : undefined}
        />
      </ElFormItem>
    );

    return () => (
      <ElDialog
        modelValue
        title={TITLES[props.kind]}
        fullscreen={phone}
        width="560px"
        onClose={props.onClose}
        appendToBody
        class="action-dialog"
      >
        {{
          default: () => (
            <ElForm labelPosition="top" class="action-form" data-action={props.kind}>
              {props.kind === 'assign' ? [text('township', '乡镇街道'), text('assignee', '经办人'), text('note', '备注', true)] : null}
              {props.kind === 'verify'
                ? [
                    <ElFormItem label="核查日期" for="action-visitedOn" error={errors.value.visitedOn} required>
                      <ElDatePicker
                        id="action-visitedOn"
                        type="date"
                        valueFormat="YYYY-MM-DD"
                        modelValue={form.visitedOn}
                        onUpdate:modelValue={(v: string) => (form.visitedOn = v ?? '')}
                        disabledDate={(d: Date) => shanghaiToday(d) > today}
                        clearable={false}
                      />
                    </ElFormItem>,
                    <ElFormItem label="核查方式" error={errors.value.method} required>
                      <ElRadioGroup
                        modelValue={form.method}
                        onUpdate:modelValue={(v: string | number | boolean | undefined) => (form.method = String(v))}
                        aria-label="核查方式"
                      >
                        {VERIFICATION_METHODS.map((m) => (
                          <ElRadioButton key={m} value={m} label={m} />
                        ))}
                      </ElRadioGroup>
                    </ElFormItem>,
                    text('findings', '核查情况', true),
                  ]
                : null}
              {props.kind === 'resolve'
                ? [
                    <ElFormItem label="办结结果" for="action-outcome" error={errors.value.outcome} required>
                      <ElSelect
                        id="action-outcome"
                        placeholder="请选择"
                        modelValue={form.outcome}
                        onUpdate:modelValue={(v: string) => (form.outcome = v)}
                      >
                        {ALERT_OUTCOMES.map((o) => (
                          <ElOption key={o} value={o} label={o} />
                        ))}
                      </ElSelect>
                    </ElFormItem>,
                    text('note', '办结说明', true),
                  ]
                : null}
              {failure.value ? <ElAlert type="error" title={failure.value} closable={false} showIcon /> : null}
            </ElForm>
          ),
          footer: () => (
            <div class="dialog-footer">
              <ElButton onClick={props.onClose}>取消</ElButton>
              <ElButton type="primary" loading={busy.value} onClick={send}>
                提交{TITLES[props.kind]}
              </ElButton>
            </div>
          ),
        }}
      </ElDialog>
    );
  },
});
