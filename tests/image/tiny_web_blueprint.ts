/**
 * A custom blueprint for the image test: a python venv (the fallback when the image has no
 * Miniforge) serving a page with python's http.server, which names the user it runs as and
 * records the signal that stops it, so that a graceful stop leaves a trace in /config.
 */
export const TINY_WEB_FILE = "tiny_web.sh";

/** File the app writes in its instance folder when it is stopped by a signal. */
export const STOP_MARKER = "stopped-by.txt";

/** Seconds written here make the app take that long to stop (a slow app's shutdown). */
export const STOP_DELAY_FILE = "stop-delay";

export const TINY_WEB_BLUEPRINT = `#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = Tiny web
# aikore.category = Test
# aikore.description = A python venv serving one page; records the signal that stops it.
# aikore.venv_type = python
# aikore.venv_path = ./env
# aikore.health = http:/
# aikore.start_timeout = 300
# aikore.proxy = both
### AIKORE-METADATA-END ###
set -euo pipefail
cd "$INSTANCE_DIR"
if [[ ! -x env/bin/python ]]; then python3 -m venv env; fi
echo "hello from $INSTANCE_SLUG as $(id -u):$(id -g)" > index.html
cat > serve.py <<'PY'
import functools, http.server, os, signal, sys, time

def stop(signum, frame):
    delay = 0.0
    if os.path.exists("${STOP_DELAY_FILE}"):
        with open("${STOP_DELAY_FILE}") as source:
            delay = float(source.read())
    time.sleep(delay)
    with open("${STOP_MARKER}", "w") as marker:
        marker.write(f"{signal.Signals(signum).name} after {delay:g} s\\n")
    sys.exit(0)

signal.signal(signal.SIGTERM, stop)
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=os.getcwd())
server = http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["WEBUI_PORT"])), handler)
print("tiny web: listening on", server.server_address, flush=True)
server.serve_forever()
PY
exec env/bin/python serve.py
`;
