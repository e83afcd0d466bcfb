#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = kohya_ss
# aikore.category = Training
# aikore.description = Kohya's GUI: train LoRA, DreamBooth and fine-tunes for SD 1.5, SDXL, SD3 and Flux.
# aikore.venv_type = conda
# aikore.venv_path = ./env
# aikore.health = http:/
# aikore.start_timeout = 3600
# aikore.proxy = port
### AIKORE-METADATA-END ###
#
# kohya_ss (https://github.com/bmaltais/kohya_ss) with its sd-scripts submodule.
# First start: clones it into this instance's folder, creates a conda environment in ./env,
# installs the torch build for CUDA_VERSION/TORCH_VERSION, then requirements_linux.txt (or
# requirements.txt) without replacing that torch, and bitsandbytes. Later starts only launch.
# A changed setting below, or "Rebuild environment", installs again. Needs conda on PATH.
# Files: kohya_ss/shared-models links to the whole shared model store (pick base models from
# there), kohya_ss/outputs to the output folder (use it as the training output folder).
# Gradio apps cannot live under a sub-path: published on its own port only.

set -euo pipefail
: "${WEBUI_PORT:?WEBUI_PORT is not set (AiKore sets it when it starts an instance)}"
: "${INSTANCE_CONF_DIR:?INSTANCE_CONF_DIR is not set}"
: "${INSTANCE_OUTPUT_DIR:?INSTANCE_OUTPUT_DIR is not set}"
# shellcheck source=functions.sh
source "${AIKORE_FUNCTIONS:?AIKORE_FUNCTIONS is not set}"

# ---- settings: edit them here (launch.sh is this instance's own copy) ----
KOHYA_REF="${KOHYA_REF:-}" # branch, tag or commit; empty: the default branch
PYTHON="${PYTHON_VERSION:-3.11}"

ENV_DIR="$INSTANCE_CONF_DIR/env"
APP="$INSTANCE_CONF_DIR/kohya_ss"
MODELS="${AIKORE_MODELS_DIR:-${AIKORE_DATA_MODELS:?AIKORE_MODELS_DIR is not set}}"
CONSTRAINTS="$ENV_DIR/torch-constraints.txt"
STAMP="kohya_ss ref=$KOHYA_REF python=$PYTHON cuda=${CUDA_VERSION-} torch=${TORCH_VERSION-}"

if install_allowed; then
  clean_env "$ENV_DIR"
  if install_needed "$ENV_DIR" "$STAMP"; then
    ensure_repo https://github.com/bmaltais/kohya_ss.git "$APP" KOHYA_REF
    git -C "$APP" submodule update --init --recursive
    create_env conda "$ENV_DIR" "$PYTHON"
    activate_env "$ENV_DIR"
    install_torch torch torchvision
    torch_constraints "$CONSTRAINTS"
    requirements=requirements.txt
    if [[ -f "$APP/requirements_linux.txt" ]]; then requirements=requirements_linux.txt; fi
    # The files refer to ./sd-scripts relative to the app folder, so pip runs from there.
    (cd "$APP" && install_requirements "$requirements" -c "$CONSTRAINTS")
    python -m pip install bitsandbytes -c "$CONSTRAINTS"
    install_done "$ENV_DIR" "$STAMP"
  fi
  link_shared_folder "$APP/shared-models" "$MODELS"
  link_shared_folder "$APP/outputs" "$INSTANCE_OUTPUT_DIR"
fi

require_installed "$ENV_DIR"
activate_env "$ENV_DIR"
mkdir -p "$INSTANCE_OUTPUT_DIR"
extra_args=()
read_launch_args extra_args
cd "$APP"
export GRADIO_ANALYTICS_ENABLED=False
exec python kohya_gui.py --listen 127.0.0.1 --server_port "$WEBUI_PORT" --headless "${extra_args[@]}"
