import { PageTitle } from '../components/Layout';

export function PromotionsPage(_: { search?: URLSearchParams }) {
  return <PageTitle>Promotions</PageTitle>;
}
