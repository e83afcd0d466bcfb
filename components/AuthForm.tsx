/** One input of an auth form. */
export interface AuthField {
  name: string;
  label: string;
  type: "password" | "hidden";
  value?: string;
  autocomplete?: string;
  autofocus?: boolean;
  minLength?: number;
}

/** Props of the login and setup forms. */
export interface AuthFormProps {
  title: string;
  intro: string;
  /** Shown above the fields (escaped like all text). */
  error?: string | null;
  fields: AuthField[];
  submitLabel: string;
  /** Where to post; omitted, the form posts to the page's own URL (keeping its query). */
  action?: string;
}

/** A card with a plain `<form method="post">`: works without JavaScript, no inline script. */
export function AuthForm(props: AuthFormProps) {
  return (
    <main class="auth-card">
      <h1>{props.title}</h1>
      <p>{props.intro}</p>
      {props.error && <p class="form-error" role="alert">{props.error}</p>}
      <form method="post" action={props.action}>
        {props.fields.map((field) =>
          field.type === "hidden"
            ? <input type="hidden" name={field.name} value={field.value ?? ""} key={field.name} />
            : (
              <label class="field" key={field.name}>
                <span>{field.label}</span>
                <input
                  type={field.type}
                  name={field.name}
                  id={`field-${field.name}`}
                  value={field.value}
                  autocomplete={field.autocomplete}
                  autofocus={field.autofocus}
                  minLength={field.minLength}
                  required
                />
              </label>
            )
        )}
        <button type="submit" class="btn btn-primary auth-submit">{props.submitLabel}</button>
      </form>
    </main>
  );
}

/** A card with a message and an optional link, for states where no form applies. */
export function AuthNotice(
  props: { title: string; message: string; link?: { href: string; label: string } },
) {
  return (
    <main class="auth-card">
      <h1>{props.title}</h1>
      <p>{props.message}</p>
      {props.link && <a class="btn" href={props.link.href}>{props.link.label}</a>}
    </main>
  );
}

/** The sign-out button for page headers; posts the session's CSRF token. */
export function LogoutForm(props: { csrfToken: string | null }) {
  return (
    <form method="post" action="/logout" class="logout-form">
      <input type="hidden" name="csrf" value={props.csrfToken ?? ""} />
      <button type="submit" class="btn">Sign out</button>
    </form>
  );
}
