import { ElAlert, ElEmpty, ElTag } from 'element-plus';
import { defineComponent, onMounted, ref } from 'vue';
import type { NotificationListResponse } from '../../../shared/api/responses.ts';
import { api } from '../api/client.ts';
import { formatDateTime } from '../format.ts';
import { dashboardRoute, type Inline, parseNoticeBody } from '../notice-text.ts';

const SEVERITY = {
  critical: { type: 'danger', label: '紧急' },
  warning: { type: 'warning', label: '提醒' },
  info: { type: 'info', label: '通知' },
} as const;

const CHANNEL_TITLES: Record<string, string> = { dingtalk: '钉钉', wecom: '企业微信', webhook: 'Webhook', sns: '短信/邮件' };
/** The channel key is its type and a hash of its URL (`dingtalk-9e76…`): the type is what a clerk recognises. */
const channelTitle = (key: string) => {
  const type = key.split(/[-#]/)[0];
  return CHANNEL_TITLES[type] ?? type;
};
const ROUTE_TITLES: Array<[RegExp, string]> = [
  [/^#\/alerts\/.+/, '查看并处置该预警'],
  [/^#\/alerts/, '前往预警处置'],
  [/^#\/uploads/, '前往数据上传'],
  [/^#\/progress/, '前往工作进展'],
];

const inline = (parts: Inline[]) =>
  parts.map((p, i) =>
    p.type === 'strong' ? (
      <strong key={i}>{p.text}</strong>
    ) : p.type === 'link' ? (
      <a key={i} href={p.route}>
        {p.text}
      </a>
    ) : (
      p.text
    ),
  );

/** The body's markdown as elements built from text (never HTML). */
function noticeBody(body: string) {
  return (
    <div class="notice-body">
      {parseNoticeBody(body).map((b, i) =>
        b.type === 'heading' ? (
          <h4 key={i}>{inline(b.inline)}</h4>
        ) : b.type === 'list' ? (
          <ul key={i}>
            {b.items.map((item, j) => (
              <li key={j}>{inline(item)}</li>
            ))}
          </ul>
        ) : (
          <p key={i}>{inline(b.inline)}</p>
        ),
      )}
    </div>
  );
}

/** Each channel's outcome: 钉钉 已送达 / 发送失败 with the reason. */
function deliveries(list: NotificationListResponse['notifications'][number]['deliveries']) {
  const entries = Object.entries(list ?? {});
  if (!entries.length) return <p class="muted small">仅站内通知</p>;
  return (
    <ul class="deliveries" aria-label="外部渠道送达情况">
      {entries.map(([key, d]) => (
        <li key={key} data-delivery={d.outcome}>
          <ElTag disableTransitions size="small" type={d.outcome === 'delivered' ? 'success' : 'danger'}>
            {channelTitle(key)} {d.outcome === 'delivered' ? '已送达' : '发送失败'}
          </ElTag>
          <span class="muted small">
            {' '}
            {formatDateTime(d.at)}
            {d.reason ? `(${d.reason})` : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}

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
              <ElTag disableTransitions type={SEVERITY[n.severity].type}>
                {SEVERITY[n.severity].label}
              </ElTag>
              <strong>{n.title}</strong>
              <span class="muted">{formatDateTime(n.sentAt)}</span>
            </div>
            {noticeBody(n.body)}
            <div class="notice-foot">
              {noticeLink(n.link)}
              {deliveries(n.deliveries)}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
});

function noticeLink(link: string | undefined) {
  const route = link ? dashboardRoute(link) : undefined;
  if (!route) return null;
  const title = ROUTE_TITLES.find(([pattern]) => pattern.test(route))?.[1] ?? '在看板中查看';
  return (
    <a class="notice-link" href={route}>
      {title} →
    </a>
  );
}
