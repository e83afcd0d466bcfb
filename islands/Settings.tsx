import { useState } from "preact/hooks";
import { createApi } from "./core/api_client.ts";
import type { SettingsProps } from "./core/types.ts";
import { UiState } from "./core/ui_state.ts";
import { AuditLog } from "./settings/AuditLog.tsx";
import { CustomBlueprints } from "./settings/CustomBlueprints.tsx";
import { Notifications } from "./settings/Notifications.tsx";
import { PasswordForm } from "./settings/PasswordForm.tsx";
import { TokenList } from "./settings/TokenList.tsx";
import { ModalHost } from "./ui/ModalHost.tsx";
import { Toasts } from "./ui/Toasts.tsx";

/** The settings island: password, API tokens, notifications, custom blueprints and the audit log. */
export default function Settings(props: SettingsProps) {
  const [ui] = useState(() => new UiState());
  const [api] = useState(() => createApi({ csrfToken: props.csrfToken }));
  return (
    <>
      <div class="settings">
        {!props.authEnabled && (
          <p class="banner-warn">
            Authentication is off (AIKORE_AUTH=off): passwords and tokens are not used.
          </p>
        )}
        <PasswordForm api={api} ui={ui} />
        <TokenList api={api} ui={ui} />
        <Notifications api={api} ui={ui} />
        <CustomBlueprints api={api} ui={ui} />
        <AuditLog api={api} />
        <p class="muted small">AiKore {props.version}</p>
      </div>
      <Toasts ui={ui} />
      <ModalHost ui={ui} />
    </>
  );
}
