import { PageTitle } from '../components/Layout';

// Built in the next commit, on the shared pieces in components/ and api/.
export function WaiversPage() {
  return (
    <>
      <PageTitle>Waivers</PageTitle>
      <div className="state state-empty">
        <p>
          The waivers page is coming in the next commit. Until then, <code>warden waiver list</code> shows
          them.
        </p>
      </div>
    </>
  );
}
