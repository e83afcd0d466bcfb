import { type Context, Hono } from "hono";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { AuthForm, AuthNotice } from "../../components/AuthForm.tsx";
import { PageShell } from "../../components/PageShell.tsx";
import { type AuthService, clearedSessionCookie, constantTimeEqual } from "../../lib/auth/mod.ts";
import type { AppEnv } from "../../lib/http/mod.ts";
import { requestContext, requestIsHttps } from "../../lib/http/security/mod.ts";
import { HttpError } from "../../lib/shared/http_error.ts";

/** What the login and setup pages need. */
export interface AuthPagesDeps {
  auth: AuthService;
}

type Status = 200 | 401 | 403 | 409 | 422 | 429;

function page(c: Context<AppEnv>, title: string, body: VNode, status: Status = 200): Response {
  const html = renderToString(<PageShell title={`${title} · AiKore`}>{body}</PageShell>);
  return c.html(`<!DOCTYPE html>${html}`, status);
}

/** A same-site path to return to after login; anything else becomes "/". */
export function safeNext(text: string | null | undefined): string {
  if (!text || text.length > 2048) return "/";
  // Printable ASCII only, one leading slash, no backslash: never another host or scheme.
  if (!/^\/(?![/\\])[!-~]*$/.test(text) || text.includes("\\")) return "/";
  return text;
}

async function formFields(c: Context<AppEnv>): Promise<Record<string, string>> {
  const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded" && type !== "multipart/form-data") {
    throw new HttpError(415, "Send the form as application/x-www-form-urlencoded");
  }
  const body = await c.req.parseBody();
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === "string") fields[name] = value;
  }
  return fields;
}

function loginForm(c: Context<AppEnv>, next: string, error: string | null, status: Status) {
  return page(
    c,
    "Sign in",
    <AuthForm
      title="Sign in to AiKore"
      intro="Enter the dashboard password."
      error={error}
      submitLabel="Sign in"
      action="/login"
      fields={[
        { name: "next", label: "", type: "hidden", value: next },
        {
          name: "password",
          label: "Password",
          type: "password",
          autocomplete: "current-password",
          autofocus: true,
        },
      ]}
    />,
    status,
  );
}

function setupForm(c: Context<AppEnv>, error: string | null, status: Status) {
  // No action: the form posts back to this URL, so the token stays in the query and never
  // appears in the page.
  return page(
    c,
    "Set up",
    <AuthForm
      title="Set the AiKore password"
      intro="Choose the password for this dashboard (at least 8 characters)."
      error={error}
      submitLabel="Set password and sign in"
      fields={[
        {
          name: "password",
          label: "New password",
          type: "password",
          autocomplete: "new-password",
          autofocus: true,
          minLength: 8,
        },
        {
          name: "confirm",
          label: "Repeat the password",
          type: "password",
          autocomplete: "new-password",
          minLength: 8,
        },
      ]}
    />,
    status,
  );
}

const NOT_SET_UP = "No password is set yet. Open the one-time setup link printed in the server " +
  "log, or set AIKORE_PASSWORD and restart.";
const BAD_LINK = "This setup link is invalid, already used or expired. Restart AiKore to print " +
  "a new one in the log.";

function setupRefusal(c: Context<AppEnv>, auth: AuthService) {
  if (auth.passwordIsSet()) {
    return page(
      c,
      "Set up",
      <AuthNotice
        title="Already set up"
        message="A password is already set."
        link={{ href: "/login", label: "Sign in" }}
      />,
      403,
    );
  }
  return page(c, "Set up", <AuthNotice title="Setup link not valid" message={BAD_LINK} />, 403);
}

/** GET/POST /login, GET/POST /setup and POST /logout: server-rendered, no JavaScript needed. */
export function authPages(deps: AuthPagesDeps): Hono<AppEnv> {
  const { auth } = deps;
  const app = new Hono<AppEnv>();
  const signedInRedirect = (
    c: Context<AppEnv>,
    session: Parameters<AuthService["sessionCookieFor"]>[0],
    to: string,
  ) => {
    c.header("Set-Cookie", auth.sessionCookieFor(session, requestIsHttps(c)));
    return c.redirect(to, 303);
  };

  app.get("/login", (c) => {
    const next = safeNext(c.req.query("next"));
    if (!auth.authEnabled || auth.authenticate(c.req.raw.headers)) return c.redirect(next, 303);
    if (!auth.passwordIsSet()) {
      return page(c, "Sign in", <AuthNotice title="Not set up yet" message={NOT_SET_UP} />);
    }
    return loginForm(c, next, null, 200);
  });

  app.post("/login", async (c) => {
    const fields = await formFields(c);
    const next = safeNext(fields.next);
    const outcome = await auth.login(fields.password ?? "", {
      ...requestContext(c),
      previousSessionId: auth.sessionIdFrom(c.req.raw.headers),
    });
    if (outcome.ok) return signedInRedirect(c, outcome.session, next);
    switch (outcome.reason) {
      case "auth_off":
        return c.redirect(next, 303);
      case "no_password":
        return page(c, "Sign in", <AuthNotice title="Not set up yet" message={NOT_SET_UP} />, 409);
      case "rate_limited":
        c.header("Retry-After", String(outcome.retryAfterSeconds));
        return loginForm(
          c,
          next,
          `Too many attempts. Wait ${outcome.retryAfterSeconds} seconds and try again.`,
          429,
        );
      default:
        return loginForm(c, next, "Wrong password.", 401);
    }
  });

  app.get("/setup", (c) => {
    if (!auth.setupTokenValid(c.req.query("token"))) return setupRefusal(c, auth);
    return setupForm(c, null, 200);
  });

  app.post("/setup", async (c) => {
    const token = c.req.query("token");
    if (!auth.setupTokenValid(token)) return setupRefusal(c, auth);
    const fields = await formFields(c);
    const password = fields.password ?? "";
    if (password !== (fields.confirm ?? "")) {
      return setupForm(c, "The two passwords differ.", 422);
    }
    const outcome = await auth.completeSetup(token, password, requestContext(c));
    if (outcome.ok) return signedInRedirect(c, outcome.session, "/");
    if (outcome.reason === "weak_password") return setupForm(c, outcome.message, 422);
    return setupRefusal(c, auth);
  });

  app.post("/logout", async (c) => {
    const principal = c.get("principal");
    if (principal?.kind === "session") {
      const fields = await formFields(c);
      if (!principal.csrfToken || !constantTimeEqual(fields.csrf ?? "", principal.csrfToken)) {
        throw new HttpError(
          403,
          "Sign-out refused: the form is stale; reload the page",
          null,
          "csrf_token",
        );
      }
      auth.logout(auth.sessionIdFrom(c.req.raw.headers), requestContext(c));
    }
    c.header("Set-Cookie", clearedSessionCookie({ secure: requestIsHttps(c) }));
    return c.redirect("/login", 303);
  });

  return app;
}
