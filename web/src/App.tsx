import { ElButton, ElConfigProvider } from 'element-plus';
import zhCn from 'element-plus/es/locale/lang/zh-cn';
import { defineComponent } from 'vue';
import { AlertPage } from './pages/AlertPage.tsx';
import { AlertsPage } from './pages/AlertsPage.tsx';
import { HouseholdPage } from './pages/HouseholdPage.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { NotificationsPage } from './pages/NotificationsPage.tsx';
import { ProgressPage } from './pages/ProgressPage.tsx';
import { StatsPage } from './pages/StatsPage.tsx';
import { UploadPage } from './pages/UploadPage.tsx';
import { NAVIGATION, type Route, route } from './router.ts';
import { session } from './session.ts';

const ROLE_LABELS = { district: '区县', city: '市局', admin: '管理员' } as const;

function pageOf(current: Route) {
  switch (current.page) {
    case 'progress':
      return <ProgressPage />;
    case 'alerts':
      return <AlertsPage />;
    case 'alert':
      return <AlertPage key={current.id} alertId={current.id} />;
    case 'household':
      return <HouseholdPage key={current.ref} householdRef={current.ref} />;
    case 'uploads':
      return <UploadPage />;
    case 'notifications':
      return <NotificationsPage />;
    case 'stats':
      return <StatsPage />;
  }
}

/** The frame: who is logged in, the contract's navigation, the current page. */
export const App = defineComponent(() => {
  const activeSection = (page: Route['page']) => (page === 'alert' ? 'alerts' : page);
  return () => (
    <ElConfigProvider locale={zhCn}>
      {session.claims.value ? (
        <div class="layout">
          <header class="top">
            <div class="brand">
              <strong>兜底</strong>
              <span class="sub">绍兴市民政工作进展与低收入人口动态监测预警</span>
            </div>
            <div class="who">
              <span data-testid="who">
                {session.unitName.value} · {ROLE_LABELS[session.claims.value.role] ?? session.claims.value.role}
              </span>
              <ElButton size="small" onClick={() => session.logout()}>
                退出
              </ElButton>
            </div>
          </header>
          <nav class="nav" aria-label="主导航">
            {NAVIGATION.map((item) => (
              <a
                key={item.page}
                href={item.href}
                class={{ active: activeSection(route.value.page) === item.page }}
                aria-current={activeSection(route.value.page) === item.page ? 'page' : undefined}
              >
                {item.title}
              </a>
            ))}
          </nav>
          <main class="main">{pageOf(route.value)}</main>
        </div>
      ) : (
        <LoginPage />
      )}
    </ElConfigProvider>
  );
});
