import { PageTitle } from '../components/Layout';
import { Link } from '../components/router';

export function NotFoundPage({ path }: { path: string }) {
  return (
    <>
      <PageTitle>Page not found</PageTitle>
      <p>
        There is no page at <code>{path}</code>. Go to the <Link href="/models">models</Link>.
      </p>
    </>
  );
}
