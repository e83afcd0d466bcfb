const LOGO = [
  " █████  ██ ██   ██  ██████  ██████  ███████",
  "██   ██ ██ ██  ██  ██    ██ ██   ██ ██",
  "███████ ██ █████   ██    ██ ██████  █████",
  "██   ██ ██ ██  ██  ██    ██ ██   ██ ██",
  "██   ██ ██ ██   ██  ██████  ██   ██ ███████",
].join("\n");

/** The idle view: the AiKore logo on a CRT (scanlines, glow and colour cycling in CSS). */
export function WelcomeView() {
  return (
    <div class="welcome">
      <div class="crt" aria-hidden="true">
        <pre class="crt-logo">{LOGO}</pre>
        <div class="crt-scanlines" />
      </div>
      <p class="welcome-text">
        Pick <strong>Logs</strong> or an entry of the <strong>Tools</strong> menu on an instance.
      </p>
    </div>
  );
}
