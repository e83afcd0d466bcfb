#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = Empty
# aikore.category = Other
# aikore.description = A starting point: prints its environment and serves a placeholder page.
# aikore.venv_type = none
# aikore.health = http:/
# aikore.start_timeout = 30
# aikore.proxy = both
### AIKORE-METADATA-END ###
#
# Replace the body with your own install and launch steps (see blueprints/README.md).
# The app must listen on 127.0.0.1:$WEBUI_PORT.

set -euo pipefail
: "${WEBUI_PORT:?WEBUI_PORT is not set (AiKore sets it when it starts an instance)}"

echo "AiKore empty blueprint: the variables AiKore passed to this instance"
for var in INSTANCE_NAME INSTANCE_SLUG INSTANCE_CONF_DIR INSTANCE_OUTPUT_DIR BLUEPRINT_ID SUBFOLDER \
  WEBUI_PORT CUDA_VISIBLE_DEVICES CUDA_DEVICE_ORDER TMPDIR DISPLAY PYTHON_VERSION CUDA_VERSION \
  TORCH_VERSION AIKORE_DATA_MODELS; do
  printf '  %-20s %s\n' "$var" "${!var-(unset)}"
done

html_escape() {
  # The replacements are quoted so that bash 5.2's patsub_replacement leaves '&' alone.
  local s="$1"
  s="${s//&/"&amp;"}"
  s="${s//</"&lt;"}"
  s="${s//>/"&gt;"}"
  s="${s//\"/"&quot;"}"
  printf '%s' "${s//\'/"&#39;"}"
}

www="${INSTANCE_CONF_DIR:-$PWD}/empty-www"
mkdir -p "$www"
name="$(html_escape "${INSTANCE_NAME:-empty}")"
cat >"$www/index.html" <<HTML
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${name} (empty instance)</title></head>
<body>
<h1>${name}</h1>
<p>This instance runs the empty blueprint: nothing is installed yet. Edit its launch script
to install and start an app on port \$WEBUI_PORT.</p>
</body>
</html>
HTML

if ! command -v python3 >/dev/null 2>&1; then
  echo "python3 is not installed: nothing will answer on port $WEBUI_PORT" >&2
  exec sleep infinity
fi
echo "serving $www on http://127.0.0.1:$WEBUI_PORT/"
exec python3 -m http.server --bind 127.0.0.1 --directory "$www" "$WEBUI_PORT"
