import { PageTitle } from '../components/Layout';

export function AuditPage(_: { search?: URLSearchParams }) {
  return <PageTitle>Audit</PageTitle>;
}
