import { ElAlert, ElEmpty, ElTag } from 'element-plus';
import { defineComponent, onMounted, ref } from 'vue';
import type { NotificationListResponse } from '../../../shared/api/responses.ts';
import { api } from '../api/client.ts';
import { formatDateTime } from '../format.ts';

const SEVERITY = {
  critical: { type: 'danger', label: '紧急' },
  warning: { type: 'warning', label: '提醒' },
  info: { type: 'info', label: '通知' },
} as const;

/** 通知: the unit's inbox, newest first. */
export const NotificationsPage = defineComponent(() => {
  const inbox = ref<NotificationListResponse>();
  const error = ref('');
  onMounted(async () => {
    try {
      inbox.value = await api.notifications();
    } catch (e) {
      error.value = (e as Error).message;
    }
  });
  return () => (
    <section aria-labelledby="notifications-title">
      <div class="page-head">
        <h2 id="notifications-title">通知</h2>
      </div>
      {error.value ? <ElAlert type="error" title={error.value} closable={false} showIcon /> : null}
      {inbox.value && !inbox.value.notifications.length ? <ElEmpty description="暂无通知" /> : null}
      <ul class="inbox">
        {inbox.value?.notifications.map((n) => (
          <li key={n.notificationId} class={`notice notice-${n.severity}`}>
            <div class="notice-head">
              <ElTag type={SEVERITY[n.severity].type}>{SEVERITY[n.severity].label}</ElTag>
              <strong>{n.title}</strong>
              <span class="muted">{formatDateTime(n.sentAt)}</span>
            </div>
            <p>{n.body}</p>
          </li>
        ))}
      </ul>
    </section>
  );
});
