import { ElAlert, ElButton, ElCard, ElForm, ElFormItem, ElInput } from 'element-plus';
import { defineComponent, ref } from 'vue';
import { claimsOf, session } from '../session.ts';

/** Local mode: paste a token from `npx safety-net token` (on AWS: the stage's hosted login). */
export const LoginPage = defineComponent(() => {
  const token = ref('');
  const error = ref('');
  const submit = () => {
    const claims = claimsOf(token.value.trim());
    if (!claims) {
      error.value = '令牌格式不正确:请粘贴 npx safety-net token 输出的完整令牌';
      return;
    }
    if (claims.exp && claims.exp * 1000 < Date.now()) {
      error.value = '令牌已过期,请重新生成';
      return;
    }
    error.value = '';
    session.login(token.value);
    if (!location.hash) location.hash = '#/progress';
  };
  return () => (
    <div class="login">
      <ElCard>
        <h1>兜底 · 登录</h1>
        <p>本机模式:在终端运行以下命令获取令牌,粘贴到下面。</p>
        <pre>npx safety-net token --unit 330602 --role district</pre>
        <pre>npx safety-net token --unit 330600 --role city</pre>
        <ElForm labelPosition="top">
          <ElFormItem label="访问令牌" for="token-input" error={error.value || undefined}>
            <ElInput
              id="token-input"
              type="textarea"
              rows={3}
              modelValue={token.value}
              onUpdate:modelValue={(v: string) => (token.value = v)}
              placeholder="eyJhbGciOiJIUzI1NiJ9…"
              autocomplete="off"
            />
          </ElFormItem>
          <ElButton type="primary" onClick={submit}>
            登录
          </ElButton>
        </ElForm>
        {error.value ? <ElAlert type="error" title={error.value} closable={false} showIcon /> : null}
      </ElCard>
    </div>
  );
});
