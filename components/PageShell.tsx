import type { ComponentChildren } from "preact";

/** Props of the HTML document wrapper shared by every page. */
export interface PageShellProps {
  title: string;
  /** Extra stylesheet and module script URLs (served from /static or /build). */
  styles?: string[];
  scripts?: string[];
  /** Module chunks the page will import at once (fetched in parallel with the entry). */
  preload?: string[];
  /** Shown on every page when authentication is off (`AIKORE_AUTH=off`). */
  authDisabledBanner?: boolean;
  bodyClass?: string;
  children: ComponentChildren;
}

/** The `<html>` document: no inline script (CSP), dark theme stylesheet. */
export function PageShell(props: PageShellProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/static/app.css" />
        {props.styles?.map((href) => <link rel="stylesheet" href={href} key={href} />)}
        {props.preload?.map((href) => <link rel="modulepreload" href={href} key={href} />)}
        {props.scripts?.map((src) => <script type="module" src={src} key={src} />)}
      </head>
      <body class={props.bodyClass}>
        {props.authDisabledBanner && (
          <div class="banner banner-danger" role="alert">
            Authentication is OFF (AIKORE_AUTH=off): anyone who can reach this page controls this
            server.
          </div>
        )}
        {props.children}
      </body>
    </html>
  );
}
