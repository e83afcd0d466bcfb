#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = AI-Toolkit
# aikore.category = Training
# aikore.description = Ostris AI-Toolkit with its web UI: LoRA and fine-tune training for Flux, Wan, Qwen-Image and more.
# aikore.venv_type = conda
# aikore.venv_path = ./env
# aikore.health = http:/
# aikore.start_timeout = 3600
# aikore.proxy = port
### AIKORE-METADATA-END ###
#
# AI-Toolkit (https://github.com/ostris/ai-toolkit) and its Next.js UI (ui/).
# First start: clones it into this instance's folder, creates a conda environment in ./env with
# Python and Node.js, installs the torch build for CUDA_VERSION/TORCH_VERSION, the requirements
# (never replacing that torch) and bitsandbytes, then builds the UI (npm install, database,
# build). Later starts only launch: the UI's job worker in the background and the UI itself.
# A changed setting below, or "Rebuild environment", installs again. Needs conda on PATH.
# Files: ai-toolkit/output (training results) links to the output folder, ai-toolkit/datasets
# to <data>/datasets (shared by every instance), ai-toolkit/shared-models to the model store.
# Next.js pages use absolute paths: published on its own port only.

set -euo pipefail
: "${WEBUI_PORT:?WEBUI_PORT is not set (AiKore sets it when it starts an instance)}"
: "${INSTANCE_CONF_DIR:?INSTANCE_CONF_DIR is not set}"
: "${INSTANCE_OUTPUT_DIR:?INSTANCE_OUTPUT_DIR is not set}"
# shellcheck source=functions.sh
source "${AIKORE_FUNCTIONS:?AIKORE_FUNCTIONS is not set}"

# ---- settings: edit them here (launch.sh is this instance's own copy) ----
AI_TOOLKIT_REF="${AI_TOOLKIT_REF:-}" # branch, tag or commit; empty: the default branch
NODEJS="${NODEJS:-nodejs=22}"        # conda-forge Node.js for the UI
PYTHON="${PYTHON_VERSION:-3.11}"

ENV_DIR="$INSTANCE_CONF_DIR/env"
APP="$INSTANCE_CONF_DIR/ai-toolkit"
MODELS="${AIKORE_MODELS_DIR:-${AIKORE_DATA_MODELS:?AIKORE_MODELS_DIR is not set}}"
DATASETS="${AIKORE_DATA_DIR:-$INSTANCE_CONF_DIR}/datasets"
CONSTRAINTS="$ENV_DIR/torch-constraints.txt"
STAMP="ai-toolkit ref=$AI_TOOLKIT_REF node=$NODEJS python=$PYTHON cuda=${CUDA_VERSION-} torch=${TORCH_VERSION-}"

if install_allowed; then
  clean_env "$ENV_DIR"
  if install_needed "$ENV_DIR" "$STAMP"; then
    ensure_repo https://github.com/ostris/ai-toolkit.git "$APP" AI_TOOLKIT_REF
    git -C "$APP" submodule update --init --recursive
    create_env conda "$ENV_DIR" "$PYTHON" "$NODEJS"
    activate_env "$ENV_DIR"
    install_torch
    torch_constraints "$CONSTRAINTS"
    (cd "$APP" && install_requirements requirements.txt -c "$CONSTRAINTS")
    python -m pip install bitsandbytes -c "$CONSTRAINTS"
    (cd "$APP/ui" && npm install && npm run update_db && npm run build)
    install_done "$ENV_DIR" "$STAMP"
  fi
  link_shared_folder "$APP/output" "$INSTANCE_OUTPUT_DIR"
  link_shared_folder "$APP/datasets" "$DATASETS"
  link_shared_folder "$APP/shared-models" "$MODELS"
else
  aikore_log "AI-Toolkit satellites share the parent's jobs, database and output folder"
fi

require_installed "$ENV_DIR"
activate_env "$ENV_DIR"
mkdir -p "$INSTANCE_OUTPUT_DIR"
extra_args=()
read_launch_args extra_args
cd "$APP/ui"
# The worker runs the queued training jobs (python run.py in this environment); it belongs to
# this process group, so stopping the instance stops it too.
if [[ -f dist/cron/worker.js ]]; then
  node dist/cron/worker.js &
else
  aikore_log "ui/dist/cron/worker.js is missing: jobs will not start (rebuild the environment)"
fi
exec node node_modules/next/dist/bin/next start --hostname 127.0.0.1 --port "$WEBUI_PORT" \
  "${extra_args[@]}"
