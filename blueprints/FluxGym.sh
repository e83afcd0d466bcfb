#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = FluxGym
# aikore.category = Training
# aikore.description = Simple web UI to train Flux LoRAs on low VRAM (kohya sd-scripts underneath).
# aikore.venv_type = conda
# aikore.venv_path = ./env
# aikore.health = http:/
# aikore.start_timeout = 3600
# aikore.proxy = port
### AIKORE-METADATA-END ###
#
# FluxGym (https://github.com/cocktailpeanut/fluxgym) with kohya sd-scripts (sd3 branch).
# First start: clones both into this instance's folder, creates a conda environment in ./env,
# installs the torch build for CUDA_VERSION/TORCH_VERSION, then the requirements of sd-scripts
# and FluxGym (never replacing that torch) and bitsandbytes. Later starts only launch.
# A changed setting below, or "Rebuild environment", installs again. Needs conda on PATH.
# Models: fluxgym/models/{unet,clip,vae} are links into the shared model store (FluxGym
# downloads the Flux base files there). Trained LoRAs: fluxgym/outputs is a link to the output
# folder; FluxGym has no option for it, so satellites write to their parent's output folder.
# Gradio apps cannot live under a sub-path: published on its own port only.

set -euo pipefail
: "${WEBUI_PORT:?WEBUI_PORT is not set (AiKore sets it when it starts an instance)}"
: "${INSTANCE_CONF_DIR:?INSTANCE_CONF_DIR is not set}"
: "${INSTANCE_OUTPUT_DIR:?INSTANCE_OUTPUT_DIR is not set}"
# shellcheck source=functions.sh
source "${AIKORE_FUNCTIONS:?AIKORE_FUNCTIONS is not set}"

# ---- settings: edit them here (launch.sh is this instance's own copy) ----
FLUXGYM_REF="${FLUXGYM_REF:-}"          # branch, tag or commit; empty: the default branch
SD_SCRIPTS_REF="${SD_SCRIPTS_REF:-sd3}" # kohya sd-scripts branch FluxGym needs
PYTHON="${PYTHON_VERSION:-3.10}"

ENV_DIR="$INSTANCE_CONF_DIR/env"
APP="$INSTANCE_CONF_DIR/fluxgym"
CONSTRAINTS="$ENV_DIR/torch-constraints.txt"
STAMP="fluxgym ref=$FLUXGYM_REF sd-scripts=$SD_SCRIPTS_REF python=$PYTHON cuda=${CUDA_VERSION-} torch=${TORCH_VERSION-}"

if install_allowed; then
  clean_env "$ENV_DIR"
  if install_needed "$ENV_DIR" "$STAMP"; then
    ensure_repo https://github.com/cocktailpeanut/fluxgym.git "$APP" FLUXGYM_REF
    ensure_repo https://github.com/kohya-ss/sd-scripts.git "$APP/sd-scripts" SD_SCRIPTS_REF
    create_env conda "$ENV_DIR" "$PYTHON"
    activate_env "$ENV_DIR"
    install_torch
    torch_constraints "$CONSTRAINTS"
    # Both files hold paths relative to their own folder (-e .), so pip runs from there.
    (cd "$APP/sd-scripts" && install_requirements requirements.txt -c "$CONSTRAINTS")
    (cd "$APP" && install_requirements requirements.txt -c "$CONSTRAINTS")
    python -m pip install bitsandbytes -c "$CONSTRAINTS"
    install_done "$ENV_DIR" "$STAMP"
  fi
  link_model_folders "$APP/models" unet:unet clip:clip vae:vae
  link_shared_folder "$APP/outputs" "$INSTANCE_OUTPUT_DIR"
else
  aikore_log "FluxGym has no output option: this satellite's LoRAs go to its parent's output folder"
fi

require_installed "$ENV_DIR"
activate_env "$ENV_DIR"
mkdir -p "$INSTANCE_OUTPUT_DIR"
extra_args=()
read_launch_args extra_args
cd "$APP"
export GRADIO_SERVER_NAME=127.0.0.1 GRADIO_SERVER_PORT="$WEBUI_PORT" GRADIO_ANALYTICS_ENABLED=False
exec python app.py "${extra_args[@]}"
