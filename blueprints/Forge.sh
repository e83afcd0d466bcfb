#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = Forge
# aikore.category = Image generation
# aikore.description = Stable Diffusion WebUI Forge: the AUTOMATIC1111 interface, faster, with Flux support.
# aikore.venv_type = conda
# aikore.venv_path = ./env
# aikore.health = http:/
# aikore.start_timeout = 3600
# aikore.proxy = port
### AIKORE-METADATA-END ###
#
# Stable Diffusion WebUI Forge (https://github.com/lllyasviel/stable-diffusion-webui-forge).
# First start: clones it into this instance's folder, creates a conda environment in ./env,
# installs the torch build for CUDA_VERSION/TORCH_VERSION and requirements_versions.txt (never
# replacing that torch), then lets Forge's own installer fetch the rest (launch.py --exit).
# Later starts skip Forge's installer (--skip-prepare-environment) and only launch.
# A changed setting below, or "Rebuild environment", installs again. Needs conda on PATH.
# Models: models/{Stable-diffusion,Lora,VAE,ESRGAN,ControlNet,text_encoder} and embeddings are
# links into the shared model store. Outputs: outputs/ is a link to the output folder; Forge has
# no option for it, so satellites write to their parent's output folder.
# Gradio apps cannot live under a sub-path: published on its own port only.

set -euo pipefail
: "${WEBUI_PORT:?WEBUI_PORT is not set (AiKore sets it when it starts an instance)}"
: "${INSTANCE_CONF_DIR:?INSTANCE_CONF_DIR is not set}"
: "${INSTANCE_OUTPUT_DIR:?INSTANCE_OUTPUT_DIR is not set}"
# shellcheck source=functions.sh
source "${AIKORE_FUNCTIONS:?AIKORE_FUNCTIONS is not set}"

# ---- settings: edit them here (launch.sh is this instance's own copy) ----
FORGE_REF="${FORGE_REF:-}" # branch, tag or commit; empty: the default branch
PYTHON="${PYTHON_VERSION:-3.10}"

ENV_DIR="$INSTANCE_CONF_DIR/env"
APP="$INSTANCE_CONF_DIR/stable-diffusion-webui-forge"
CONSTRAINTS="$ENV_DIR/torch-constraints.txt"
STAMP="forge ref=$FORGE_REF python=$PYTHON cuda=${CUDA_VERSION-} torch=${TORCH_VERSION-}"

if install_allowed; then
  clean_env "$ENV_DIR"
  if install_needed "$ENV_DIR" "$STAMP"; then
    ensure_repo https://github.com/lllyasviel/stable-diffusion-webui-forge.git "$APP" FORGE_REF
    create_env conda "$ENV_DIR" "$PYTHON"
    activate_env "$ENV_DIR"
    install_torch torch torchvision
    torch_constraints "$CONSTRAINTS"
    (cd "$APP" && install_requirements requirements_versions.txt -c "$CONSTRAINTS")
    # Forge's installer only installs torch when it is missing; if it ever does, the same build.
    TORCH_COMMAND="pip install torch torchvision --index-url $(torch_index_url)"
    export TORCH_COMMAND
    (cd "$APP" && python launch.py --exit --skip-python-version-check --skip-torch-cuda-test)
    install_done "$ENV_DIR" "$STAMP"
  fi
  link_model_folders "$APP/models" Stable-diffusion:checkpoints Lora:loras VAE:vae \
    ESRGAN:upscale_models ControlNet:controlnet text_encoder:text_encoders
  link_model_folder "$APP/embeddings" embeddings
  link_shared_folder "$APP/outputs" "$INSTANCE_OUTPUT_DIR"
else
  aikore_log "Forge has no output option: this satellite's images go to its parent's output folder"
fi

require_installed "$ENV_DIR"
activate_env "$ENV_DIR"
mkdir -p "$INSTANCE_OUTPUT_DIR"
extra_args=()
read_launch_args extra_args
cd "$APP"
export GRADIO_ANALYTICS_ENABLED=False
exec python launch.py --server-name 127.0.0.1 --port "$WEBUI_PORT" --skip-prepare-environment \
  "${extra_args[@]}"
