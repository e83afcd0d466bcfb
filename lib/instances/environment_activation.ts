import type { BlueprintFacts } from "./blueprint_source.ts";

/**
 * Bash that activates an instance environment (venv or conda). Static text: the values come
 * from `AIKORE_VENV_TYPE` and `AIKORE_VENV_DIR`, never pasted into the script.
 */
export const ACTIVATE_ENVIRONMENT = `case "$AIKORE_VENV_TYPE" in
  python) [ -f "$AIKORE_VENV_DIR/bin/activate" ] && . "$AIKORE_VENV_DIR/bin/activate" ;;
  conda)
    if command -v conda >/dev/null 2>&1 && [ -d "$AIKORE_VENV_DIR" ]; then
      eval "$(conda shell.bash hook)" && conda activate "$AIKORE_VENV_DIR"
    fi ;;
esac
`;

/** The variables ACTIVATE_ENVIRONMENT reads, for an environment owned by `ownerDir`. */
export function environmentVariables(
  blueprint: BlueprintFacts | null,
  ownerDir: string,
): { AIKORE_VENV_TYPE: string; AIKORE_VENV_DIR: string } {
  const venvPath = (blueprint?.metadata?.venvPath ?? "./env").replace(/^\.\//, "");
  return {
    AIKORE_VENV_TYPE: blueprint?.metadata?.venvType ?? "none",
    AIKORE_VENV_DIR: `${ownerDir}/${venvPath}`,
  };
}
