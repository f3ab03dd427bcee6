import { PageTitle } from '../components/Layout';

export function PoliciesPage(_: { search?: URLSearchParams }) {
  return <PageTitle>Policies</PageTitle>;
}
