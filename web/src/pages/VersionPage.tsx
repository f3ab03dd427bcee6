import { PageTitle } from '../components/Layout';

export function VersionPage({ model, version }: { model: string; version: string }) {
  return (
    <PageTitle>
      {model} version {version}
    </PageTitle>
  );
}
