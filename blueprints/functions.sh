# shellcheck shell=bash
# AiKore blueprint helper library.
#
# Source it from a blueprint (AiKore exports the path in AIKORE_FUNCTIONS):
#   source "${AIKORE_FUNCTIONS}"
#
# Every helper returns non-zero with a message on stderr instead of exiting, works under
# `set -euo pipefail`, and never changes the caller's shell options. See blueprints/README.md.

# Regex (extended, matched against normalized package names) of packages that must never be
# installed from an app's requirements because they would replace the CUDA/torch stack that the
# blueprint installed on purpose. Override with AIKORE_PIP_EXCLUDE.
AIKORE_DEFAULT_PIP_EXCLUDE='^(torch|torchvision|torchaudio|xformers|triton|flash-attn|sageattention|bitsandbytes|nvidia-.*)$'

aikore_log() {
  printf '[aikore] %s\n' "$*" >&2
}

# aikore_step TEXT...
# Names what the blueprint is doing now ("Installing PyTorch"): logged, and shown by AiKore under
# the instance's status while it starts (and in its message if the run ends or stalls there).
# AiKore reads it from $AIKORE_STEP_FILE; one line of at most 200 characters. Never fails.
aikore_step() {
  local text="$*"
  text="${text//[$'\t\r\n']/ }"
  text="${text:0:200}"
  printf '[aikore] step: %s\n' "$text" >&2
  [[ -n "${AIKORE_STEP_FILE:-}" ]] || return 0
  { printf '%s\n' "$text" >"$AIKORE_STEP_FILE.tmp" &&
    mv -f -- "$AIKORE_STEP_FILE.tmp" "$AIKORE_STEP_FILE"; } 2>/dev/null || true
}

aikore_fail() {
  printf '[aikore] ERROR: %s\n' "$*" >&2
  return 1
}

# Absolute path of $1 without resolving its last component (so a symlink stays itself).
_aikore_abs() {
  local parent
  parent="$(realpath -m -- "$(dirname -- "$1")")" || return 1
  printf '%s/%s\n' "${parent%/}" "$(basename -- "$1")"
}

# Moves every entry of directory $1 into directory $2 without overwriting anything there;
# sub-directories present on both sides are merged. Entries that clash stay in $1.
_aikore_merge_into() {
  local src="$1" dst="$2" entry name
  while IFS= read -r -d '' entry; do
    name="$(basename -- "$entry")"
    if [[ ! -e "$dst/$name" && ! -L "$dst/$name" ]]; then
      mv -- "$entry" "$dst/$name" || return 1
    elif [[ -f "$entry" && ! -L "$entry" && -f "$dst/$name" && ! -L "$dst/$name" ]] &&
      cmp -s -- "$entry" "$dst/$name"; then
      # The same file is already in the store (an app's tracked placeholder): nothing is lost.
      rm -f -- "$entry" || return 1
    elif [[ -d "$entry" && ! -L "$entry" && -d "$dst/$name" && ! -L "$dst/$name" ]]; then
      _aikore_merge_into "$entry" "$dst/$name" || return 1
      rmdir -- "$entry" 2>/dev/null || true
    fi
  done < <(find "$src" -mindepth 1 -maxdepth 1 -print0)
}

# link_shared_folder LINK STORAGE
# Makes LINK a symlink to the folder STORAGE (created if missing). When LINK is a real folder,
# its content is moved into STORAGE first; anything that would overwrite a file already in
# STORAGE is kept aside in LINK.aikore-conflicts-<time> and reported, never deleted.
link_shared_folder() {
  local link="${1-}" storage="${2-}" link_abs storage_abs aside
  [[ -n "$link" && -n "$storage" ]] || { aikore_fail "usage: link_shared_folder LINK STORAGE"; return 1; }
  # Already linked (the usual case at every start): decided without spawning anything.
  if [[ -L "$link" && -d "$storage" && "$link" -ef "$storage" ]]; then return 0; fi
  link_abs="$(_aikore_abs "$link")" || return 1
  storage_abs="$(realpath -m -- "$storage")" || return 1
  if [[ "$storage_abs" == "$link_abs" || "$storage_abs" == "$link_abs"/* ]]; then
    aikore_fail "link_shared_folder: storage $storage_abs is inside $link_abs"
    return 1
  fi
  mkdir -p -- "$storage_abs" "$(dirname -- "$link_abs")" || return 1
  if [[ -L "$link_abs" ]]; then
    if [[ "$(readlink -- "$link_abs")" == "$storage_abs" ]]; then return 0; fi
    rm -f -- "$link_abs" || return 1
  elif [[ -d "$link_abs" ]]; then
    _aikore_merge_into "$link_abs" "$storage_abs" || return 1
    if ! rmdir -- "$link_abs" 2>/dev/null; then
      aside="$link_abs.aikore-conflicts-$(date +%Y%m%d-%H%M%S)"
      mv -- "$link_abs" "$aside" || return 1
      aikore_log "kept files that already exist in $storage_abs aside in $aside"
    fi
  elif [[ -e "$link_abs" ]]; then
    aside="$link_abs.aikore-conflicts-$(date +%Y%m%d-%H%M%S)"
    mv -- "$link_abs" "$aside" || return 1
    aikore_log "moved the file $link_abs aside to $aside"
  fi
  ln -s -- "$storage_abs" "$link_abs"
}

# link_model_folder LINK SUBFOLDER
# link_shared_folder into the shared model store: LINK -> $AIKORE_DATA_MODELS/SUBFOLDER.
link_model_folder() {
  local link="${1-}" sub="${2-}"
  [[ -n "$link" && -n "$sub" ]] || { aikore_fail "usage: link_model_folder LINK SUBFOLDER"; return 1; }
  local models="${AIKORE_DATA_MODELS:-${AIKORE_MODELS_DIR-}}"
  [[ -n "$models" ]] || { aikore_fail "AIKORE_DATA_MODELS is not set"; return 1; }
  if [[ "$sub" == /* || "/$sub/" == */../* || "/$sub/" == */./* ]]; then
    aikore_fail "link_model_folder: \"$sub\" must be a relative folder without . or .. parts"
    return 1
  fi
  link_shared_folder "$link" "$models/$sub"
}

# link_model_folders APP_MODELS_DIR LOCAL:SHARED...
# link_model_folder for each pair: APP_MODELS_DIR/LOCAL -> the model store's SHARED folder,
# e.g. link_model_folders app/models Stable-diffusion:checkpoints Lora:loras.
link_model_folders() {
  local base="${1-}" pair
  [[ -n "$base" ]] || { aikore_fail "usage: link_model_folders APP_MODELS_DIR LOCAL:SHARED..."; return 1; }
  shift
  for pair in "$@"; do
    [[ "$pair" == ?*:?* ]] || { aikore_fail "link_model_folders: \"$pair\" is not LOCAL:SHARED"; return 1; }
    link_model_folder "$base/${pair%%:*}" "${pair#*:}" || return 1
  done
}

# sl_folder LINK_PARENT LINK_NAME STORAGE_PARENT STORAGE_NAME  (Python-AiKore compatible form)
sl_folder() {
  [[ $# -eq 4 ]] || { aikore_fail "usage: sl_folder LINK_PARENT LINK_NAME STORAGE_PARENT STORAGE_NAME"; return 1; }
  link_shared_folder "$1/$2" "$3/$4"
}

# clean_env ENV_DIR
# Consumes the rebuild marker: when $INSTANCE_CONF_DIR/.rebuild-env exists (the instance folder;
# the parent of ENV_DIR when INSTANCE_CONF_DIR is unset), deletes ENV_DIR, then the marker.
# ENV_DIR must lie inside the instance folder; anything else is refused.
clean_env() {
  local env_dir="${1-}" instance env_abs instance_abs marker
  [[ -n "$env_dir" ]] || { aikore_fail "usage: clean_env ENV_DIR"; return 1; }
  instance="${INSTANCE_CONF_DIR:-$(dirname -- "$env_dir")}"
  marker="$instance/.rebuild-env"
  [[ -e "$marker" ]] || return 0
  env_abs="$(_aikore_abs "$env_dir")" || return 1
  instance_abs="$(realpath -m -- "$instance")" || return 1
  if [[ "$env_abs" != "$instance_abs"/?* ]]; then
    aikore_fail "clean_env: refusing to delete $env_abs, which is not inside $instance_abs"
    return 1
  fi
  aikore_log "rebuild requested: deleting the environment $env_abs"
  rm -rf -- "$env_abs" || return 1
  rm -f -- "$marker"
}

_aikore_ref_ok() {
  local ref="$1"
  [[ -n "$ref" && "$ref" != -* && "$ref" != *..* && "$ref" =~ ^[A-Za-z0-9._/@+-]+$ ]] &&
    git check-ref-format --allow-onelevel "$ref" >/dev/null 2>&1
}

# Prints the remote's default branch (remote HEAD, else main/master, else the upstream).
_aikore_default_branch() {
  local dir="$1" remote="$2" head=""
  if ! head="$(git -C "$dir" symbolic-ref -q --short "refs/remotes/$remote/HEAD")"; then
    head=""
    if git -C "$dir" remote set-head "$remote" --auto >/dev/null 2>&1; then
      head="$(git -C "$dir" symbolic-ref -q --short "refs/remotes/$remote/HEAD")" || head=""
    fi
  fi
  if [[ -n "$head" ]]; then
    printf '%s\n' "${head#"$remote"/}"
    return 0
  fi
  for head in main master; do
    if git -C "$dir" show-ref --verify --quiet "refs/remotes/$remote/$head"; then
      printf '%s\n' "$head"
      return 0
    fi
  done
  head="$(git -C "$dir" rev-parse --abbrev-ref --symbolic-full-name '@{u}' 2>/dev/null)" || return 1
  printf '%s\n' "${head#"$remote"/}"
}

# Shared-folder links that replace a folder the checkout tracks (an app's models/checkpoints
# with its placeholder file) hide tracked files, and git then refuses to stash or switch refs
# ("beyond a symbolic link"). Removes each such link, restores the tracked files it hid and
# appends "LINK<TAB>TARGET" to the array named by $2 so that _aikore_relink can put it back.
_aikore_unhide_tracked() {
  local dir="$1" top path prefix part link raw target
  local -n _aikore_hidden_out="$2"
  local -A links=()
  local -a parts=()
  top="$(git -C "$dir" rev-parse --show-toplevel)" || return 1
  while IFS= read -r -d '' path; do
    prefix=""
    IFS=/ read -r -a parts <<<"$path"
    for part in "${parts[@]}"; do
      prefix="${prefix:+$prefix/}$part"
      if [[ -L "$top/$prefix" ]]; then
        links["$prefix"]=1
        break
      fi
    done
  done < <(git -C "$top" diff --name-only --diff-filter=D -z)
  for link in "${!links[@]}"; do
    raw="$(readlink -- "$top/$link")" || return 1
    if [[ "$raw" == /* ]]; then target="$raw"; else target="$(dirname -- "$top/$link")/$raw"; fi
    target="$(realpath -m -- "$target")" || return 1
    rm -f -- "$top/$link" || return 1
    git -C "$top" checkout --quiet -- "$link" || { aikore_fail "sync_repo: could not restore $link"; return 1; }
    _aikore_hidden_out+=("$top/$link"$'\t'"$target")
  done
}

# Puts back the links _aikore_unhide_tracked removed ("LINK<TAB>TARGET" arguments).
_aikore_relink() {
  local entry link target status=0
  for entry in "$@"; do
    link="${entry%%$'\t'*}"
    target="${entry#*$'\t'}"
    if [[ -L "$link" || (-e "$link" && ! -d "$link") ]]; then
      aikore_log "not linking $link to $target again: the checkout now has a file there"
    else
      link_shared_folder "$link" "$target" || status=1
    fi
  done
  return "$status"
}

# sync_repo [VAR_NAME] [DIR]
# Brings the git checkout DIR (default: current folder) to the ref named by the value of the
# environment variable VAR_NAME (branch, tag or commit), or to the remote's default branch.
# Fetches first. Local edits to tracked files are saved with `git stash` (never thrown away);
# untracked files are left alone. Refs that look like options or are malformed are refused.
sync_repo() {
  local var="${1-}" dir="${2:-.}" ref="" remote r status=0
  local -a remotes=() hidden=()
  if [[ -n "$var" ]]; then
    [[ "$var" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { aikore_fail "sync_repo: bad variable name \"$var\""; return 1; }
    ref="${!var-}"
  fi
  git -C "$dir" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
    { aikore_fail "sync_repo: $dir is not a git checkout"; return 1; }
  mapfile -t remotes < <(git -C "$dir" remote)
  remote="${remotes[0]-}"
  for r in "${remotes[@]}"; do if [[ "$r" == origin ]]; then remote=origin; fi; done
  [[ -n "$remote" ]] || { aikore_fail "sync_repo: $dir has no git remote"; return 1; }
  git -C "$dir" fetch --quiet --prune --tags --force "$remote" ||
    { aikore_fail "sync_repo: fetching $remote failed"; return 1; }
  if [[ -z "$ref" ]]; then
    ref="$(_aikore_default_branch "$dir" "$remote")" ||
      { aikore_fail "sync_repo: cannot tell the default branch of $remote"; return 1; }
  fi
  _aikore_ref_ok "$ref" || { aikore_fail "sync_repo: \"$ref\" is not a valid git ref"; return 1; }
  _aikore_unhide_tracked "$dir" hidden || return 1
  _aikore_switch_ref "$dir" "$remote" "$ref" || status=1
  _aikore_relink ${hidden[@]+"${hidden[@]}"} || status=1
  return "$status"
}

# Stashes local edits to tracked files, then checks out REF (a remote branch, tag or commit).
_aikore_switch_ref() {
  local dir="$1" remote="$2" ref="$3" sha
  if ! git -C "$dir" diff --quiet HEAD -- 2>/dev/null; then
    git -C "$dir" stash push --quiet -m "aikore sync_repo $(date -u +%Y-%m-%dT%H:%M:%SZ)" ||
      { aikore_fail "sync_repo: could not stash local changes"; return 1; }
    aikore_log "local changes in $dir were saved with git stash (see: git stash list)"
  fi
  if git -C "$dir" show-ref --verify --quiet "refs/remotes/$remote/$ref"; then
    git -C "$dir" checkout --quiet -B "$ref" --track "$remote/$ref" || return 1
  elif git -C "$dir" show-ref --verify --quiet "refs/tags/$ref"; then
    git -C "$dir" checkout --quiet --detach "refs/tags/$ref" || return 1
  elif sha="$(git -C "$dir" rev-parse --verify --quiet "$ref^{commit}")"; then
    git -C "$dir" checkout --quiet --detach "$sha" || return 1
  else
    aikore_fail "sync_repo: \"$ref\" is neither a branch of $remote, a tag nor a commit"
    return 1
  fi
  aikore_log "$dir is at $ref ($(git -C "$dir" rev-parse --short HEAD))"
}

# check_remote VAR_NAME  (Python-AiKore compatible name for sync_repo in the current folder)
check_remote() {
  sync_repo "${1-}" .
}

# ensure_repo URL DIR [VAR_NAME]
# Clones URL into DIR when DIR is not a checkout yet, then sync_repo DIR to $VAR_NAME.
ensure_repo() {
  local url="${1-}" dir="${2-}" var="${3-}"
  [[ -n "$url" && -n "$dir" ]] || { aikore_fail "usage: ensure_repo URL DIR [VAR_NAME]"; return 1; }
  [[ "$url" != -* ]] || { aikore_fail "ensure_repo: bad URL \"$url\""; return 1; }
  if [[ ! -e "$dir/.git" ]]; then
    aikore_step "Downloading ${url##*/} (git clone)"
    git clone --quiet -- "$url" "$dir" || { aikore_fail "ensure_repo: cloning $url failed"; return 1; }
  fi
  local ref=""
  if [[ "$var" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then ref="${!var-}"; fi
  aikore_step "Updating ${url##*/} (${ref:-its default branch})"
  sync_repo "$var" "$dir"
}

# Normalized package name of one requirement line (PEP 503), or nothing.
_aikore_requirement_name() {
  local line="$1" name=""
  local direct='^([A-Za-z0-9][A-Za-z0-9._-]*)[[:space:]]*(\[[^]]*\])?[[:space:]]*@'
  if [[ "$line" =~ $direct ]]; then
    name="${BASH_REMATCH[1]}"
  elif [[ "$line" == *://* || "$line" == git+* ]]; then
    [[ "$line" =~ [\#\&]egg=([A-Za-z0-9._-]+) ]] && name="${BASH_REMATCH[1]}"
  elif [[ "$line" =~ ^([A-Za-z0-9][A-Za-z0-9._-]*) ]]; then
    name="${BASH_REMATCH[1]}"
  fi
  name="${name,,}"
  printf '%s\n' "${name//[._]/-}" | tr -s '-'
}

# filter_requirements IN OUT
# Writes IN to OUT with every requirement matching AIKORE_PIP_EXCLUDE (default: the torch/CUDA
# stack) commented out; nested -r files are inlined (filtered too), -c paths made absolute.
# Prints the excluded package names, one per line, on stdout.
filter_requirements() {
  local in="${1-}" out="${2-}"
  [[ -n "$in" && -n "$out" ]] || { aikore_fail "usage: filter_requirements IN OUT"; return 1; }
  : >"$out" || return 1
  _aikore_filter_into "$in" "$out" "${AIKORE_PIP_EXCLUDE:-$AIKORE_DEFAULT_PIP_EXCLUDE}" 0
}

_aikore_filter_into() {
  local in="$1" out="$2" exclude="$3" depth="$4" raw line name base opt rest
  [[ "$depth" -lt 10 ]] || { aikore_fail "filter_requirements: -r nesting deeper than 10 at $in"; return 1; }
  [[ -f "$in" ]] || { aikore_fail "filter_requirements: $in does not exist"; return 1; }
  base="$(cd -- "$(dirname -- "$in")" && pwd)" || return 1
  while IFS= read -r raw || [[ -n "$raw" ]]; do
    raw="${raw%$'\r'}"
    line="${raw%%[[:space:]]#*}"
    [[ "$line" == \#* ]] && line=""
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    if [[ "$line" =~ ^(-r|--requirement|-c|--constraint)(=|[[:space:]]+)?(.+)$ ]]; then
      opt="${BASH_REMATCH[1]}"
      rest="${BASH_REMATCH[3]}"
      [[ "$rest" == /* ]] || rest="$base/$rest"
      if [[ "$opt" == -r || "$opt" == --requirement ]]; then
        _aikore_filter_into "$rest" "$out" "$exclude" $((depth + 1)) || return 1
      else
        printf '%s %s\n' "$opt" "$rest" >>"$out"
      fi
      continue
    fi
    name=""
    [[ -n "$line" && "$line" != -* ]] && name="$(_aikore_requirement_name "$line")"
    if [[ -n "$name" && "$name" =~ $exclude ]]; then
      printf '# excluded by AiKore (keeps the installed torch stack): %s\n' "$line" >>"$out"
      printf '%s\n' "$name"
    else
      printf '%s\n' "$raw" >>"$out"
    fi
  done <"$in"
}

# install_requirements TARGET [PIP_ARGS...]
# pip-installs TARGET (a requirements file, or a folder: its requirements.txt and those of its
# direct sub-folders) in one resolver run, without the packages filter_requirements excludes.
# The pip command is $AIKORE_PIP (default: python -m pip, the active environment's pip).
install_requirements() {
  local target="${1-}" work file n=0 excluded status=0
  local -a files=() args=() pip=()
  [[ -n "$target" ]] || { aikore_fail "usage: install_requirements FILE|DIR [PIP_ARGS...]"; return 1; }
  shift
  if [[ -d "$target" ]]; then
    [[ -f "$target/requirements.txt" ]] && files+=("$target/requirements.txt")
    while IFS= read -r -d '' file; do files+=("$file"); done < <(
      find "$target" -mindepth 2 -maxdepth 2 -name requirements.txt -type f -print0 | sort -z
    )
  elif [[ -f "$target" ]]; then
    files=("$target")
  else
    aikore_fail "install_requirements: $target does not exist"
    return 1
  fi
  if [[ ${#files[@]} -eq 0 ]]; then
    aikore_log "install_requirements: no requirements.txt under $target"
    return 0
  fi
  work="$(mktemp -d "${TMPDIR:-/tmp}/aikore-req.XXXXXX")" || return 1
  for file in "${files[@]}"; do
    n=$((n + 1))
    excluded="$(filter_requirements "$file" "$work/$n.txt")" || { rm -rf -- "$work"; return 1; }
    [[ -z "$excluded" ]] || aikore_log "not installing from $file: $(printf '%s' "$excluded" | tr '\n' ' ')"
    if grep -qvE '^[[:space:]]*(#.*)?$' "$work/$n.txt"; then args+=(-r "$work/$n.txt"); fi
  done
  if [[ ${#args[@]} -gt 0 ]]; then
    aikore_step "Installing the Python packages of $(basename -- "$target")"
    read -r -a pip <<<"${AIKORE_PIP:-python -m pip}"
    "${pip[@]}" install "${args[@]}" "$@" || status=$?
  else
    aikore_log "install_requirements: nothing left to install from $target"
  fi
  rm -rf -- "$work"
  return "$status"
}

# ---- install once, launch every time (used by the stock blueprints) ----

# install_allowed
# True unless AIKORE_SKIP_INSTALL=1: satellites run their parent's installed app and must
# never install, clean or re-link anything in the parent's folder.
install_allowed() {
  [[ "${AIKORE_SKIP_INSTALL:-0}" != 1 ]]
}

_AIKORE_STAMP=.aikore-installed

# install_needed ENV_DIR STAMP
# True when this run may install and ENV_DIR does not record a finished install of STAMP (a
# text naming what was installed: app ref, Python/CUDA/torch versions …). Changing any part of
# STAMP, or "Rebuild environment" (clean_env deletes ENV_DIR), installs again.
install_needed() {
  local env_dir="${1-}" stamp="${2-}"
  [[ -n "$env_dir" ]] || { aikore_fail "usage: install_needed ENV_DIR STAMP"; return 1; }
  install_allowed || return 1
  [[ -f "$env_dir/$_AIKORE_STAMP" && "$(<"$env_dir/$_AIKORE_STAMP")" == "$stamp" ]] && return 1
  return 0
}

# install_done ENV_DIR STAMP
# Records a finished install (call it last, so a failed install is retried on the next start).
install_done() {
  local env_dir="${1-}" stamp="${2-}"
  [[ -d "$env_dir" ]] || { aikore_fail "install_done: $env_dir does not exist"; return 1; }
  printf '%s' "$stamp" >"$env_dir/$_AIKORE_STAMP"
}

# require_installed ENV_DIR
# Fails with a clear message when ENV_DIR holds no finished install (a satellite started
# before its parent ever finished installing).
require_installed() {
  local env_dir="${1-}"
  if [[ -f "$env_dir/$_AIKORE_STAMP" ]]; then
    aikore_step "Starting the app"
    return 0
  fi
  if install_allowed; then
    aikore_fail "the install into $env_dir did not finish"
  else
    aikore_fail "the parent instance has not finished installing into $env_dir: start it once first"
  fi
}

# Deletes an environment folder, which must lie inside the instance folder.
_aikore_remove_env() {
  local env_abs instance_abs
  env_abs="$(_aikore_abs "$1")" || return 1
  instance_abs="$(realpath -m -- "${INSTANCE_CONF_DIR:-$(dirname -- "$env_abs")}")" || return 1
  if [[ "$env_abs" != "$instance_abs"/?* ]]; then
    aikore_fail "refusing to delete $env_abs, which is not inside $instance_abs"
    return 1
  fi
  rm -rf -- "$env_abs"
}

# create_env conda|python ENV_DIR PYTHON_VERSION [CONDA_PACKAGES...]
# Creates the environment unless ENV_DIR already holds one made the same way (then it is kept);
# one made differently (other Python, other packages) is deleted and made again.
#  conda:  conda create -p ENV_DIR from conda-forge with python=PYTHON_VERSION (none when
#          PYTHON_VERSION is empty) and CONDA_PACKAGES (e.g. nodejs=22).
#  python: python<PYTHON_VERSION> -m venv ENV_DIR (python3 when that is not installed).
create_env() {
  local type="${1-}" env_dir="${2-}" py="${3-}" made want interpreter
  if [[ ! ("$type" == conda || "$type" == python) || -z "$env_dir" || $# -lt 3 ]]; then
    aikore_fail "usage: create_env conda|python ENV_DIR PYTHON_VERSION [CONDA_PACKAGES...]"
    return 1
  fi
  shift 3
  if [[ -n "$py" && ! "$py" =~ ^[0-9]+\.[0-9]+(\.[0-9]+)?$ ]]; then
    aikore_fail "create_env: \"$py\" is not a Python version such as 3.12"
    return 1
  fi
  want="$type python=$py $*"
  if [[ -f "$env_dir/.aikore-env" ]]; then
    made="$(<"$env_dir/.aikore-env")"
    if [[ "$made" == "$want" ]]; then
      aikore_log "keeping the environment $env_dir ($want)"
      return 0
    fi
  fi
  if [[ -e "$env_dir" || -L "$env_dir" ]]; then
    aikore_log "replacing the environment $env_dir (wanted: $want)"
    _aikore_remove_env "$env_dir" || return 1
  fi
  aikore_step "Creating the $type environment${py:+ (Python $py)}"
  if [[ "$type" == conda ]]; then
    command -v conda >/dev/null 2>&1 ||
      { aikore_fail "conda is not on PATH (install Miniforge, or use the AiKore Docker image)"; return 1; }
    conda create --yes --quiet --prefix "$env_dir" --override-channels --channel conda-forge \
      ${py:+"python=$py"} "$@" || { aikore_fail "create_env: conda create failed"; return 1; }
  else
    interpreter=python3
    if [[ -n "$py" ]] && command -v "python$py" >/dev/null 2>&1; then interpreter="python$py"; fi
    [[ -z "$py" || "$interpreter" != python3 ]] ||
      aikore_log "python$py is not installed: using $(command -v python3 || echo python3)"
    "$interpreter" -m venv "$env_dir" || { aikore_fail "create_env: $interpreter -m venv failed"; return 1; }
  fi
  mkdir -p -- "$env_dir" && printf '%s' "$want" >"$env_dir/.aikore-env"
}

# activate_env ENV_DIR
# Activates a venv (its bin/activate) or a conda environment (PATH, CONDA_PREFIX and its
# etc/conda/activate.d scripts) without calling conda, so it works for satellites too.
activate_env() {
  local env_dir="${1-}" script restore
  [[ -d "$env_dir/bin" ]] || { aikore_fail "activate_env: $env_dir is not an environment (no bin/)"; return 1; }
  env_dir="$(realpath -- "$env_dir")" || return 1
  restore="$(set +o)"
  set +u
  if [[ -f "$env_dir/bin/activate" && ! -d "$env_dir/conda-meta" ]]; then
    # shellcheck disable=SC1091
    source "$env_dir/bin/activate"
  else
    export CONDA_PREFIX="$env_dir" CONDA_DEFAULT_ENV="$env_dir" CONDA_SHLVL=1
    export PATH="$env_dir/bin:$PATH"
    for script in "$env_dir"/etc/conda/activate.d/*.sh; do
      # shellcheck disable=SC1090
      [[ -f "$script" ]] && source "$script"
    done
  fi
  eval "$restore"
  hash -r
}

# torch_index_url
# The PyTorch wheel index for CUDA_VERSION (12.8 or 12.8.1 -> cu128; cpu; rocm6.3 …; default
# 12.8). AIKORE_TORCH_INDEX_URL replaces it (a mirror, a local wheel house).
torch_index_url() {
  local cuda="${CUDA_VERSION:-12.8}" tag
  if [[ -n "${AIKORE_TORCH_INDEX_URL-}" ]]; then
    printf '%s\n' "$AIKORE_TORCH_INDEX_URL"
    return 0
  fi
  if [[ "$cuda" =~ ^([0-9]+)\.([0-9]+)(\.[0-9]+)?$ ]]; then
    tag="cu${BASH_REMATCH[1]}${BASH_REMATCH[2]}"
  elif [[ "$cuda" =~ ^(cpu|cu[0-9]{3,4}|rocm[0-9]+(\.[0-9]+)*)$ ]]; then
    tag="$cuda"
  else
    aikore_fail "CUDA_VERSION \"$cuda\" is not a version such as 12.8 (or cpu, cu128, rocm6.3)"
    return 1
  fi
  printf 'https://download.pytorch.org/whl/%s\n' "$tag"
}

# install_torch [PACKAGE...]
# pip-installs the torch stack (default: torch torchvision torchaudio) from torch_index_url,
# pinning torch to TORCH_VERSION when it is set. Extra PIP arguments are not accepted on purpose:
# the app's requirements come afterwards through install_requirements.
install_torch() {
  local url pkg
  local -a pkgs=() pip=()
  url="$(torch_index_url)" || return 1
  [[ $# -gt 0 ]] || set -- torch torchvision torchaudio
  if [[ -n "${TORCH_VERSION-}" && ! "$TORCH_VERSION" =~ ^[0-9]+(\.[0-9]+){1,2}([a-z]+[0-9]*)?(\+[a-z0-9.]+)?$ ]]; then
    aikore_fail "TORCH_VERSION \"$TORCH_VERSION\" is not a version such as 2.8.0"
    return 1
  fi
  for pkg in "$@"; do
    if [[ "$pkg" == torch && -n "${TORCH_VERSION-}" ]]; then pkg="torch==$TORCH_VERSION"; fi
    pkgs+=("$pkg")
  done
  read -r -a pip <<<"${AIKORE_PIP:-python -m pip}"
  aikore_log "installing ${pkgs[*]} from $url"
  aikore_step "Installing PyTorch (${pkgs[*]}, a few GB)"
  "${pip[@]}" install "${pkgs[@]}" --index-url "$url"
}

# torch_constraints FILE
# Writes pip constraints pinning the torch stack installed in the active environment, for
# `install_requirements DIR -c FILE`: pip then fails loudly instead of swapping torch.
torch_constraints() {
  local out="${1-}"
  [[ -n "$out" ]] || { aikore_fail "usage: torch_constraints FILE"; return 1; }
  python - >"$out" <<'PY' || { aikore_fail "torch_constraints: python failed"; return 1; }
import importlib.metadata as metadata
for name in ("torch", "torchvision", "torchaudio", "xformers", "triton"):
    try:
        print(f"{name}=={metadata.version(name)}")
    except metadata.PackageNotFoundError:
        pass
PY
}

# read_launch_args ARRAY_NAME [FILE]
# Appends the words of FILE (default: launch_args.txt in the instance's own folder) to the
# array ARRAY_NAME: lines split on blanks, '#' starts a comment line; no quotes, globs or
# variables are interpreted. The Python-AiKore way to add options without editing the script.
read_launch_args() {
  [[ "${1-}" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { aikore_fail "usage: read_launch_args ARRAY_NAME [FILE]"; return 1; }
  local -n _aikore_args_out="$1"
  local file="${2:-${INSTANCE_DIR:-${INSTANCE_CONF_DIR:-.}}/launch_args.txt}" line n=0
  local -a words=()
  [[ -f "$file" ]] || return 0
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line%$'\r'}"
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    read -r -a words <<<"$line"
    _aikore_args_out+=("${words[@]}")
    n=$((n + ${#words[@]}))
  done <"$file"
  aikore_log "$n extra launch argument(s) from $file"
}
