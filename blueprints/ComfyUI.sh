#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = ComfyUI
# aikore.category = Image generation
# aikore.description = Node-based workflow UI for Stable Diffusion, Flux, Wan and more, with ComfyUI-Manager.
# aikore.venv_type = conda
# aikore.venv_path = ./env
# aikore.health = http:/system_stats
# aikore.start_timeout = 3600
# aikore.proxy = both
### AIKORE-METADATA-END ###
#
# ComfyUI (https://github.com/comfyanonymous/ComfyUI) with ComfyUI-Manager.
# First start: clones both into this instance's folder, creates a conda environment in ./env,
# installs the torch build for CUDA_VERSION/TORCH_VERSION, then the requirements of ComfyUI and
# of every custom node without touching that torch. Later starts only launch. A changed setting
# below, or "Rebuild environment", installs again. Needs conda (Miniforge) on PATH.
# Models: ComfyUI/models/<folder> are links into the shared model store. Outputs and temporary
# files go to this run's own folders (--output-directory, --temp-directory), so satellites
# never write into each other's folders.

set -euo pipefail
: "${WEBUI_PORT:?WEBUI_PORT is not set (AiKore sets it when it starts an instance)}"
: "${INSTANCE_CONF_DIR:?INSTANCE_CONF_DIR is not set}"
: "${INSTANCE_OUTPUT_DIR:?INSTANCE_OUTPUT_DIR is not set}"
# shellcheck source=functions.sh
source "${AIKORE_FUNCTIONS:?AIKORE_FUNCTIONS is not set}"

# ---- settings: edit them here (launch.sh is this instance's own copy) ----
COMFYUI_REF="${COMFYUI_REF:-}"                 # branch, tag or commit; empty: the default branch
COMFYUI_MANAGER="${COMFYUI_MANAGER:-1}"        # 1: install ComfyUI-Manager, 0: do not
COMFYUI_MANAGER_REF="${COMFYUI_MANAGER_REF:-}" # branch, tag or commit of ComfyUI-Manager
PYTHON="${PYTHON_VERSION:-3.12}"

ENV_DIR="$INSTANCE_CONF_DIR/env"
APP="$INSTANCE_CONF_DIR/ComfyUI"
RUN_TMP="${TMPDIR:-${INSTANCE_DIR:-$INSTANCE_CONF_DIR}/tmp}"
STAMP="comfyui ref=$COMFYUI_REF manager=$COMFYUI_MANAGER@$COMFYUI_MANAGER_REF python=$PYTHON cuda=${CUDA_VERSION-} torch=${TORCH_VERSION-}"

if install_allowed; then
  clean_env "$ENV_DIR"
  if install_needed "$ENV_DIR" "$STAMP"; then
    ensure_repo https://github.com/comfyanonymous/ComfyUI.git "$APP" COMFYUI_REF
    mkdir -p "$APP/custom_nodes"
    if [[ "$COMFYUI_MANAGER" == 1 ]]; then
      ensure_repo https://github.com/ltdrdata/ComfyUI-Manager.git \
        "$APP/custom_nodes/ComfyUI-Manager" COMFYUI_MANAGER_REF
    fi
    create_env conda "$ENV_DIR" "$PYTHON"
    activate_env "$ENV_DIR"
    install_torch
    torch_constraints "$ENV_DIR/torch-constraints.txt"
    install_requirements "$APP/requirements.txt" -c "$ENV_DIR/torch-constraints.txt"
    install_requirements "$APP/custom_nodes" -c "$ENV_DIR/torch-constraints.txt"
    install_done "$ENV_DIR" "$STAMP"
  fi
  link_model_folders "$APP/models" checkpoints:checkpoints clip:clip clip_vision:clip_vision \
    controlnet:controlnet diffusion_models:diffusion_models embeddings:embeddings \
    hypernetworks:hypernetworks loras:loras style_models:style_models \
    text_encoders:text_encoders unet:unet upscale_models:upscale_models vae:vae
fi

require_installed "$ENV_DIR"
activate_env "$ENV_DIR"
mkdir -p "$INSTANCE_OUTPUT_DIR" "$RUN_TMP"
extra_args=()
read_launch_args extra_args
cd "$APP"
exec python main.py --listen 127.0.0.1 --port "$WEBUI_PORT" \
  --output-directory "$INSTANCE_OUTPUT_DIR" --temp-directory "$RUN_TMP" "${extra_args[@]}"
