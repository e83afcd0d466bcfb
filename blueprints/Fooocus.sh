#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = Fooocus
# aikore.category = Image generation
# aikore.description = Fooocus: prompt-focused SDXL image generator with few settings and good defaults.
# aikore.venv_type = conda
# aikore.venv_path = ./env
# aikore.health = http:/
# aikore.start_timeout = 3600
# aikore.proxy = port
### AIKORE-METADATA-END ###
#
# Fooocus (https://github.com/lllyasviel/Fooocus).
# First start: clones it into this instance's folder, creates a conda environment in ./env,
# installs the torch build for CUDA_VERSION/TORCH_VERSION and requirements_versions.txt (never
# replacing that torch). Later starts only launch; Fooocus itself downloads its default models
# on its first start. A changed setting below, or "Rebuild environment", installs again.
# Needs conda on PATH.
# Models: models/{checkpoints,loras,embeddings,vae,upscale_models} are links into the shared
# model store. Outputs and temporary files go to this run's own folders (--output-path,
# --temp-path). Gradio apps cannot live under a sub-path: published on its own port only.

set -euo pipefail
: "${WEBUI_PORT:?WEBUI_PORT is not set (AiKore sets it when it starts an instance)}"
: "${INSTANCE_CONF_DIR:?INSTANCE_CONF_DIR is not set}"
: "${INSTANCE_OUTPUT_DIR:?INSTANCE_OUTPUT_DIR is not set}"
# shellcheck source=functions.sh
source "${AIKORE_FUNCTIONS:?AIKORE_FUNCTIONS is not set}"

# ---- settings: edit them here (launch.sh is this instance's own copy) ----
FOOOCUS_REF="${FOOOCUS_REF:-}" # branch, tag or commit; empty: the default branch
PYTHON="${PYTHON_VERSION:-3.10}"

ENV_DIR="$INSTANCE_CONF_DIR/env"
APP="$INSTANCE_CONF_DIR/Fooocus"
RUN_TMP="${TMPDIR:-${INSTANCE_DIR:-$INSTANCE_CONF_DIR}/tmp}/fooocus"
CONSTRAINTS="$ENV_DIR/torch-constraints.txt"
STAMP="fooocus ref=$FOOOCUS_REF python=$PYTHON cuda=${CUDA_VERSION-} torch=${TORCH_VERSION-}"

if install_allowed; then
  clean_env "$ENV_DIR"
  if install_needed "$ENV_DIR" "$STAMP"; then
    ensure_repo https://github.com/lllyasviel/Fooocus.git "$APP" FOOOCUS_REF
    create_env conda "$ENV_DIR" "$PYTHON"
    activate_env "$ENV_DIR"
    install_torch torch torchvision
    torch_constraints "$CONSTRAINTS"
    (cd "$APP" && install_requirements requirements_versions.txt -c "$CONSTRAINTS")
    install_done "$ENV_DIR" "$STAMP"
  fi
  link_model_folders "$APP/models" checkpoints:checkpoints loras:loras embeddings:embeddings \
    vae:vae upscale_models:upscale_models
fi

require_installed "$ENV_DIR"
activate_env "$ENV_DIR"
mkdir -p "$INSTANCE_OUTPUT_DIR" "$RUN_TMP"
extra_args=()
read_launch_args extra_args
cd "$APP"
export GRADIO_ANALYTICS_ENABLED=False
exec python launch.py --listen 127.0.0.1 --port "$WEBUI_PORT" \
  --output-path "$INSTANCE_OUTPUT_DIR" --temp-path "$RUN_TMP" "${extra_args[@]}"
