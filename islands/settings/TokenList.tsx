import { useEffect, useState } from "preact/hooks";
import { type Api, errorText } from "../core/api_client.ts";
import type { UiState } from "../core/ui_state.ts";

interface TokenInfo {
  id: number;
  name: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
}

const when = (ms: number | null) => (ms === null ? "never" : new Date(ms).toLocaleString());

function CreatedToken(props: { token: string; close: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = () =>
    navigator.clipboard.writeText(props.token)
      .then(() => setCopied("Copied."))
      .catch(() => setCopied("The browser refused: select the text and copy it by hand."));
  return (
    <div>
      <p>Copy the token now: it is not shown again.</p>
      <input
        class="mono token-value"
        readOnly
        value={props.token}
        aria-label="New API token"
        data-autofocus
        onFocus={(e) => e.currentTarget.select()}
      />
      <p class="muted small">
        Use it as <code>Authorization: Bearer &lt;token&gt;</code>.
      </p>
      <div class="modal-footer">
        <span class="muted" role="status">{copied}</span>
        <button type="button" class="btn" data-action="copy-token" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" class="btn btn-primary" onClick={props.close}>Done</button>
      </div>
    </div>
  );
}

/** API tokens: list, create (shown once), revoke. */
export function TokenList(props: { api: Api; ui: UiState }) {
  const { api, ui } = props;
  const [tokens, setTokens] = useState<TokenInfo[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const load = () =>
    api.get<{ tokens: TokenInfo[] }>("/api/auth/tokens")
      .then((body) => setTokens(body.tokens))
      .catch((error) => setFailure(errorText(error)));
  useEffect(() => void load(), []);

  const create = async () => {
    const values = await ui.prompt({
      title: "New API token",
      message: "Tokens let scripts and the CLI use the API.",
      confirmLabel: "Create token",
      fields: [{
        name: "name",
        label: "Name",
        value: "",
        placeholder: "e.g. backup-script",
        problem: (value) =>
          /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/.test(value)
            ? null
            : "1-64 letters, digits, spaces, . _ -",
      }],
    });
    if (!values) return;
    try {
      const body = await api.post<{ token: { token: string } }>("/api/auth/tokens", values);
      await load();
      await ui.show(
        "API token created",
        (close) => <CreatedToken token={body.token.token} close={close} />,
      );
    } catch (error) {
      ui.toast("error", `Cannot create the token: ${errorText(error)}`);
    }
  };
  const revoke = async (token: TokenInfo) => {
    const ok = await ui.confirm({
      title: `Revoke "${token.name}"?`,
      message: "Programs using it lose access at once.",
      confirmLabel: "Revoke",
      danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/api/auth/tokens/${token.id}`);
      ui.toast("success", `Token "${token.name}" revoked.`);
    } catch (error) {
      ui.toast("error", `Cannot revoke "${token.name}": ${errorText(error)}`);
    }
    await load();
  };
  return (
    <section class="card" aria-labelledby="tokens-title">
      <div class="card-header">
        <h2 id="tokens-title">API tokens</h2>
        <button
          type="button"
          class="btn btn-sm btn-primary"
          data-action="new-token"
          onClick={() => void create()}
        >
          + New token
        </button>
      </div>
      {failure && <p class="form-error" role="alert">{failure}</p>}
      {tokens && tokens.length === 0 && <p class="muted">No API tokens.</p>}
      {tokens && tokens.length > 0 && (
        <table class="data-table" aria-label="API tokens">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Starts with</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id} data-token={token.name}>
                <td>{token.name}</td>
                <td class="mono">{token.prefix}…</td>
                <td>{when(token.createdAt)}</td>
                <td>{when(token.lastUsedAt)}</td>
                <td>
                  <button
                    type="button"
                    class="btn btn-sm btn-danger-quiet"
                    onClick={() => void revoke(token)}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
