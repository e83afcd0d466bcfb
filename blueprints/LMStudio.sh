#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = LM Studio
# aikore.category = LLM
# aikore.description = LM Studio desktop app: download and chat with local LLMs (GGUF, MLX). Runs in desktop mode.
# aikore.venv_type = conda
# aikore.venv_path = ./env
# aikore.persistent_mode = true
# aikore.health = process
# aikore.start_timeout = 1800
# aikore.proxy = port
### AIKORE-METADATA-END ###
#
# LM Studio (https://lmstudio.ai) is a desktop (Electron) app without a web UI: it needs DESKTOP
# MODE (persistent mode), where AiKore gives it a virtual X display ($DISPLAY) streamed to the
# browser. Health is "process alive"; WEBUI_PORT is not used.
# First start: creates a conda environment in ./env holding the GTK/NSS/ALSA libraries the app
# needs, downloads the LM Studio AppImage (LMSTUDIO_URL, default the latest Linux x64 release)
# and unpacks it into ./lmstudio (no FUSE needed). Later starts only launch. A changed setting
# below, or "Rebuild environment", downloads again (that is also how to update LM Studio).
# The app's home (settings, chats) is ./home of each instance; home/.lmstudio/models links to
# the shared store's llm folder. It runs with --no-sandbox (no setuid sandbox in containers).

set -euo pipefail
: "${INSTANCE_CONF_DIR:?INSTANCE_CONF_DIR is not set}"
# shellcheck source=functions.sh
source "${AIKORE_FUNCTIONS:?AIKORE_FUNCTIONS is not set}"

# ---- settings: edit them here (launch.sh is this instance's own copy) ----
LMSTUDIO_URL="${LMSTUDIO_URL:-https://lmstudio.ai/download/latest/linux/x64}"
LMSTUDIO_LIBS="${LMSTUDIO_LIBS:-gtk3 nss alsa-lib libxkbcommon}" # conda-forge packages
LMSTUDIO_X_WAIT="${LMSTUDIO_X_WAIT:-30}" # seconds to wait for the desktop's X server

ENV_DIR="$INSTANCE_CONF_DIR/env"
APP="$INSTANCE_CONF_DIR/lmstudio"
APP_HOME="${INSTANCE_DIR:-$INSTANCE_CONF_DIR}/home"
STAMP="lmstudio url=$LMSTUDIO_URL libs=$LMSTUDIO_LIBS"

if [[ -z "${DISPLAY-}" ]]; then
  aikore_fail "LM Studio is a desktop app: turn on desktop (persistent) mode for this instance"
  exit 1
fi

if install_allowed; then
  clean_env "$ENV_DIR"
  if install_needed "$ENV_DIR" "$STAMP"; then
    read -r -a libs <<<"$LMSTUDIO_LIBS"
    create_env conda "$ENV_DIR" "" "${libs[@]}"
    mkdir -p "$APP"
    aikore_log "downloading LM Studio from $LMSTUDIO_URL"
    [[ "$LMSTUDIO_URL" == https://* ]] || { aikore_fail "LMSTUDIO_URL must be an https:// URL"; exit 1; }
    curl --fail --location --retry 3 --output "$APP/LM-Studio.AppImage.part" "$LMSTUDIO_URL"
    mv -f -- "$APP/LM-Studio.AppImage.part" "$APP/LM-Studio.AppImage"
    chmod +x "$APP/LM-Studio.AppImage"
    rm -rf -- "$APP/squashfs-root"
    (cd "$APP" && ./LM-Studio.AppImage --appimage-extract >/dev/null)
    install_done "$ENV_DIR" "$STAMP"
  fi
fi

require_installed "$ENV_DIR"
[[ -x "$APP/squashfs-root/AppRun" ]] ||
  { aikore_fail "$APP/squashfs-root/AppRun is missing: rebuild the environment"; exit 1; }
activate_env "$ENV_DIR"
mkdir -p "$APP_HOME"
link_model_folder "$APP_HOME/.lmstudio/models" llm

display_number="${DISPLAY##*:}"
socket="/tmp/.X11-unix/X${display_number%%.*}"
for ((waited = 0; waited < LMSTUDIO_X_WAIT; waited++)); do
  [[ -S "$socket" ]] && break
  sleep 1
done
[[ -S "$socket" ]] || aikore_log "no X server socket at $socket yet: starting anyway on $DISPLAY"

extra_args=()
read_launch_args extra_args
export HOME="$APP_HOME"
export LD_LIBRARY_PATH="$ENV_DIR/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
exec "$APP/squashfs-root/AppRun" --no-sandbox "${extra_args[@]}"
