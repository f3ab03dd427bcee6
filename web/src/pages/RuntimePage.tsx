import { PageTitle } from '../components/Layout';

// Built in the next commit, on the shared pieces in components/ and api/.
export function RuntimePage() {
  return (
    <>
      <PageTitle>Runtime</PageTitle>
      <div className="state state-empty">
        <p>
          The runtime page is coming in the next commit. Until then, <code>warden rollout status MODEL</code>{' '}
          shows a model's rollout.
        </p>
      </div>
    </>
  );
}
