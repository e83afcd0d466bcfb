#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = IOPaint
# aikore.category = Image editing
# aikore.description = IOPaint: remove objects, inpaint and outpaint images with LaMa, SD and other models.
# aikore.venv_type = conda
# aikore.venv_path = ./env
# aikore.health = http:/api/v1/server-config
# aikore.start_timeout = 3600
# aikore.proxy = port
### AIKORE-METADATA-END ###
#
# IOPaint (https://github.com/Sanster/IOPaint), installed from PyPI.
# First start: creates a conda environment in ./env, installs the torch build for
# CUDA_VERSION/TORCH_VERSION, then iopaint (IOPAINT_VERSION, default the latest release) without
# replacing that torch. Later starts only launch; IOPaint downloads the chosen model on its first
# use. A changed setting below, or "Rebuild environment", installs again. Needs conda on PATH.
# Models: ./models links to the shared store's iopaint folder (--model-dir). Results go to this
# run's output folder (--output-dir). Its web UI uses absolute paths: its own port only.

set -euo pipefail
: "${WEBUI_PORT:?WEBUI_PORT is not set (AiKore sets it when it starts an instance)}"
: "${INSTANCE_CONF_DIR:?INSTANCE_CONF_DIR is not set}"
: "${INSTANCE_OUTPUT_DIR:?INSTANCE_OUTPUT_DIR is not set}"
# shellcheck source=functions.sh
source "${AIKORE_FUNCTIONS:?AIKORE_FUNCTIONS is not set}"

# ---- settings: edit them here (launch.sh is this instance's own copy) ----
IOPAINT_VERSION="${IOPAINT_VERSION:-}" # e.g. 1.6.0; empty: the latest release
IOPAINT_MODEL="${IOPAINT_MODEL:-lama}" # model loaded at start (lama, ldm, mat, runwayml/stable-diffusion-inpainting …)
IOPAINT_DEVICE="${IOPAINT_DEVICE:-cuda}"
PYTHON="${PYTHON_VERSION:-3.11}"

ENV_DIR="$INSTANCE_CONF_DIR/env"
MODEL_DIR="$INSTANCE_CONF_DIR/models"
CONSTRAINTS="$ENV_DIR/torch-constraints.txt"
STAMP="iopaint version=$IOPAINT_VERSION python=$PYTHON cuda=${CUDA_VERSION-} torch=${TORCH_VERSION-}"

if install_allowed; then
  clean_env "$ENV_DIR"
  if install_needed "$ENV_DIR" "$STAMP"; then
    create_env conda "$ENV_DIR" "$PYTHON"
    activate_env "$ENV_DIR"
    install_torch torch torchvision
    torch_constraints "$CONSTRAINTS"
    python -m pip install "iopaint${IOPAINT_VERSION:+==$IOPAINT_VERSION}" -c "$CONSTRAINTS"
    install_done "$ENV_DIR" "$STAMP"
  fi
  link_model_folder "$MODEL_DIR" iopaint
fi

require_installed "$ENV_DIR"
activate_env "$ENV_DIR"
mkdir -p "$INSTANCE_OUTPUT_DIR"
extra_args=()
read_launch_args extra_args
exec iopaint start --host 127.0.0.1 --port "$WEBUI_PORT" --model "$IOPAINT_MODEL" \
  --device "$IOPAINT_DEVICE" --model-dir "$MODEL_DIR" --output-dir "$INSTANCE_OUTPUT_DIR" \
  "${extra_args[@]}"
