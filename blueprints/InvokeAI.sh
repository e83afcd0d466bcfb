#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = InvokeAI
# aikore.category = Image generation
# aikore.description = Professional image generation studio: canvas, layers, workflows and a model manager.
# aikore.venv_type = conda
# aikore.venv_path = ./env
# aikore.health = http:/api/v1/app/version
# aikore.start_timeout = 3600
# aikore.proxy = port
### AIKORE-METADATA-END ###
#
# InvokeAI (https://github.com/invoke-ai/InvokeAI), installed from PyPI.
# First start: creates a conda environment in ./env and pip-installs invokeai (INVOKEAI_VERSION,
# default the latest release) with the torch build for CUDA_VERSION (InvokeAI pins its own torch
# version; TORCH_VERSION is added as a requirement when set). Later starts only launch.
# A changed setting below, or "Rebuild environment", installs again. Needs conda on PATH.
# Data: the InvokeAI root (settings, database, its models) is ./invokeai. InvokeAI manages its
# own model folders; the whole shared model store is linked as invokeai/aikore-models: add
# models from there with the Model Manager's "Scan folder" (installed in place, not copied).
# Outputs go to this run's output folder (INVOKEAI_OUTPUTS_DIR).
# Its web UI uses absolute paths: published on its own port only.

set -euo pipefail
: "${WEBUI_PORT:?WEBUI_PORT is not set (AiKore sets it when it starts an instance)}"
: "${INSTANCE_CONF_DIR:?INSTANCE_CONF_DIR is not set}"
: "${INSTANCE_OUTPUT_DIR:?INSTANCE_OUTPUT_DIR is not set}"
# shellcheck source=functions.sh
source "${AIKORE_FUNCTIONS:?AIKORE_FUNCTIONS is not set}"

# ---- settings: edit them here (launch.sh is this instance's own copy) ----
INVOKEAI_VERSION="${INVOKEAI_VERSION:-}" # e.g. 6.0.0; empty: the latest release
PYTHON="${PYTHON_VERSION:-3.12}"

ENV_DIR="$INSTANCE_CONF_DIR/env"
ROOT="$INSTANCE_CONF_DIR/invokeai"
MODELS="${AIKORE_MODELS_DIR:-${AIKORE_DATA_MODELS:?AIKORE_MODELS_DIR is not set}}"
STAMP="invokeai version=$INVOKEAI_VERSION python=$PYTHON cuda=${CUDA_VERSION-} torch=${TORCH_VERSION-}"

if install_allowed; then
  clean_env "$ENV_DIR"
  if install_needed "$ENV_DIR" "$STAMP"; then
    create_env conda "$ENV_DIR" "$PYTHON"
    activate_env "$ENV_DIR"
    packages=("invokeai${INVOKEAI_VERSION:+==$INVOKEAI_VERSION}")
    if [[ -n "${TORCH_VERSION-}" ]]; then packages+=("torch==$TORCH_VERSION"); fi
    index="$(torch_index_url)"
    python -m pip install "${packages[@]}" --extra-index-url "$index"
    install_done "$ENV_DIR" "$STAMP"
  fi
  mkdir -p "$ROOT"
  link_shared_folder "$ROOT/aikore-models" "$MODELS"
fi

require_installed "$ENV_DIR"
activate_env "$ENV_DIR"
mkdir -p "$INSTANCE_OUTPUT_DIR"
extra_args=()
read_launch_args extra_args
# invokeai-web takes its settings from invokeai.yaml and INVOKEAI_<SETTING> variables.
export INVOKEAI_HOST=127.0.0.1 INVOKEAI_PORT="$WEBUI_PORT" INVOKEAI_OUTPUTS_DIR="$INSTANCE_OUTPUT_DIR"
exec invokeai-web --root "$ROOT" "${extra_args[@]}"
