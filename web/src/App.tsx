import { type ReactNode, useEffect } from 'react';
import { AuthProvider } from './api/auth';
import { Layout } from './components/Layout';
import { matchPath, navigate, useLocation } from './components/router';
import { SignIn } from './components/SignIn';
import { AuditPage } from './pages/AuditPage';
import { ModelsPage } from './pages/ModelsPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { PoliciesPage } from './pages/PoliciesPage';
import { PromotionsPage } from './pages/PromotionsPage';
import { RuntimePage } from './pages/RuntimePage';
import { VersionPage } from './pages/VersionPage';
import { WaiversPage } from './pages/WaiversPage';

interface Page {
  pattern: string;
  title: (params: Record<string, string>) => string;
  render: (params: Record<string, string>, search: URLSearchParams) => ReactNode;
}

export const pages: Page[] = [
  { pattern: '/models', title: () => 'Models', render: (_, search) => <ModelsPage search={search} /> },
  {
    pattern: '/models/:model/versions/:version',
    title: (p) => `${p.model} version ${p.version}`,
    render: (p) => <VersionPage model={p.model as string} version={p.version as string} />,
  },
  { pattern: '/promotions', title: () => 'Promotions', render: () => <PromotionsPage /> },
  { pattern: '/waivers', title: () => 'Waivers', render: () => <WaiversPage /> },
  { pattern: '/runtime', title: () => 'Runtime', render: () => <RuntimePage /> },
  { pattern: '/audit', title: () => 'Audit log', render: (_, search) => <AuditPage search={search} /> },
  { pattern: '/policies', title: () => 'Policies', render: () => <PoliciesPage /> },
];

function Routes() {
  const { pathname, search } = useLocation();
  useEffect(() => {
    if (pathname === '/') navigate('/models');
  }, [pathname]);
  let content: ReactNode = <NotFoundPage path={pathname} />;
  let title = 'Not found';
  for (const page of pages) {
    const params = matchPath(page.pattern, pathname);
    if (params !== undefined) {
      content = page.render(params, search);
      title = page.title(params);
      break;
    }
  }
  useEffect(() => {
    document.title = `${title} · Warden`;
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [title]);
  return (
    <Layout pathname={pathname} key={pathname}>
      {content}
    </Layout>
  );
}

export function App() {
  return (
    <AuthProvider signIn={(props) => <SignIn {...props} />}>
      <Routes />
    </AuthProvider>
  );
}
