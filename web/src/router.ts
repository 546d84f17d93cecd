import { ref } from 'vue';

/**
 * Hash routes (`#/alerts/…`): the site is static files on any host (the local gateway,
 * CloudFront + S3), so no server needs to know the dashboard's paths.
 */
export type Route =
  | { page: 'progress' }
  | { page: 'alerts' }
  | { page: 'alert'; id: string }
  | { page: 'household'; ref: string }
  | { page: 'uploads' }
  | { page: 'notifications' }
  | { page: 'stats' };

export const NAVIGATION = [
  { page: 'progress', title: '工作进展', href: '#/progress' },
  { page: 'alerts', title: '预警处置', href: '#/alerts' },
  { page: 'household', title: '一户一档', href: '#/households' },
  { page: 'uploads', title: '数据上传', href: '#/uploads' },
  { page: 'notifications', title: '通知', href: '#/notifications' },
  { page: 'stats', title: '统计', href: '#/stats' },
] as const;

export function parseRoute(hash: string): Route {
  const [, section, param] = hash.replace(/^#/, '').split('/');
  const value = param ? decodeURIComponent(param) : '';
  switch (section) {
    case 'alerts':
      return value ? { page: 'alert', id: value } : { page: 'alerts' };
    case 'households':
      return { page: 'household', ref: value };
    case 'uploads':
    case 'notifications':
    case 'stats':
      return { page: section };
    default:
      return { page: 'progress' };
  }
}

export const route = ref<Route>(parseRoute(location.hash));
window.addEventListener('hashchange', () => {
  route.value = parseRoute(location.hash);
});

export const hrefOf = {
  alert: (id: string) => `#/alerts/${encodeURIComponent(id)}`,
  household: (ref: string) => `#/households/${encodeURIComponent(ref)}`,
};
