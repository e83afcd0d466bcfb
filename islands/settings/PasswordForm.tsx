import { useState } from "preact/hooks";
import { type Api, errorText } from "../core/api_client.ts";
import type { UiState } from "../core/ui_state.ts";

/** Change the password (`PUT /api/auth/password`); other sessions end, this one is renewed. */
export function PasswordForm(props: { api: Api; ui: UiState }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const mismatch = repeat !== "" && next !== repeat;
  const submit = async (event: Event) => {
    event.preventDefault();
    if (mismatch) return;
    setBusy(true);
    setError(null);
    try {
      const body = await props.api.put<{ csrfToken: string }>("/api/auth/password", {
        current,
        new: next,
      });
      props.api.setCsrfToken(body.csrfToken);
      setCurrent("");
      setNext("");
      setRepeat("");
      props.ui.toast("success", "Password changed; other sessions were signed out.");
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <form class="settings-form" onSubmit={(e) => void submit(e)}>
        {error && <p class="form-error" role="alert">{error}</p>}
        <label class="field">
          <span>Current password</span>
          <input
            type="password"
            name="current"
            autocomplete="current-password"
            required
            value={current}
            onInput={(e) => setCurrent(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>New password (at least 8 characters)</span>
          <input
            type="password"
            name="new"
            autocomplete="new-password"
            minLength={8}
            required
            value={next}
            onInput={(e) => setNext(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>Repeat the new password</span>
          <input
            type="password"
            name="repeat"
            autocomplete="new-password"
            minLength={8}
            required
            value={repeat}
            aria-invalid={mismatch ? "true" : undefined}
            onInput={(e) => setRepeat(e.currentTarget.value)}
          />
          {mismatch && <small class="field-problem">The two passwords differ.</small>}
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy || mismatch}>
          Change password
        </button>
      </form>
    </section>
  );
}
