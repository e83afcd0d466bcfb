#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = SD.Next
# aikore.category = Image generation
# aikore.description = SD.Next: all-in-one image and video generation WebUI supporting most model families.
# aikore.venv_type = conda
# aikore.venv_path = ./env
# aikore.health = http:/
# aikore.start_timeout = 3600
# aikore.proxy = port
### AIKORE-METADATA-END ###
#
# SD.Next (https://github.com/vladmandic/sdnext).
# First start: clones it into this instance's folder, creates a conda environment in ./env,
# installs the torch build for CUDA_VERSION/TORCH_VERSION and requirements.txt (never replacing
# that torch). SD.Next's own launcher then checks and completes its packages at start, but never
# updates itself (--skip-git); satellites skip every check (--skip-all).
# A changed setting below, or "Rebuild environment", installs again. Needs conda on PATH.
# Models: models/{Stable-diffusion,Lora,VAE,embeddings,ESRGAN,ControlNet} are links into the
# shared model store. Outputs: outputs/ is a link to the output folder; satellites write to
# their parent's output folder.
# Gradio apps cannot live under a sub-path: published on its own port only.

set -euo pipefail
: "${WEBUI_PORT:?WEBUI_PORT is not set (AiKore sets it when it starts an instance)}"
: "${INSTANCE_CONF_DIR:?INSTANCE_CONF_DIR is not set}"
: "${INSTANCE_OUTPUT_DIR:?INSTANCE_OUTPUT_DIR is not set}"
# shellcheck source=functions.sh
source "${AIKORE_FUNCTIONS:?AIKORE_FUNCTIONS is not set}"

# ---- settings: edit them here (launch.sh is this instance's own copy) ----
SDNEXT_REF="${SDNEXT_REF:-}" # branch (master, dev), tag or commit; empty: the default branch
PYTHON="${PYTHON_VERSION:-3.12}"

ENV_DIR="$INSTANCE_CONF_DIR/env"
APP="$INSTANCE_CONF_DIR/sdnext"
CONSTRAINTS="$ENV_DIR/torch-constraints.txt"
STAMP="sdnext ref=$SDNEXT_REF python=$PYTHON cuda=${CUDA_VERSION-} torch=${TORCH_VERSION-}"
checks=(--skip-git)

if install_allowed; then
  clean_env "$ENV_DIR"
  if install_needed "$ENV_DIR" "$STAMP"; then
    ensure_repo https://github.com/vladmandic/sdnext.git "$APP" SDNEXT_REF
    create_env conda "$ENV_DIR" "$PYTHON"
    activate_env "$ENV_DIR"
    install_torch torch torchvision
    torch_constraints "$CONSTRAINTS"
    (cd "$APP" && install_requirements requirements.txt -c "$CONSTRAINTS")
    install_done "$ENV_DIR" "$STAMP"
  fi
  link_model_folders "$APP/models" Stable-diffusion:checkpoints Lora:loras VAE:vae \
    embeddings:embeddings ESRGAN:upscale_models ControlNet:controlnet
  link_shared_folder "$APP/outputs" "$INSTANCE_OUTPUT_DIR"
else
  checks=(--skip-all)
  aikore_log "SD.Next satellites: no install checks; images go to the parent's output folder"
fi

require_installed "$ENV_DIR"
activate_env "$ENV_DIR"
mkdir -p "$INSTANCE_OUTPUT_DIR"
# SD.Next's launcher installs torch only when it is missing: then the same build as above.
TORCH_COMMAND="torch torchvision --index-url $(torch_index_url)"
export TORCH_COMMAND GRADIO_ANALYTICS_ENABLED=False
extra_args=()
read_launch_args extra_args
cd "$APP"
exec python launch.py --server-name 127.0.0.1 --port "$WEBUI_PORT" "${checks[@]}" "${extra_args[@]}"
