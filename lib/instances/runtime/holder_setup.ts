import { HOLDER_BIN_VARIABLE, holderBinaryPath } from "../../holder/mod.ts";
import type { HolderSetup } from "./held_process.ts";

/** The value of AIKORE_HOLDER_BIN that turns holders off (instances run inside AiKore). */
export const HOLDERS_OFF = "off";

/** Whether instances will outlive AiKore, and if not, why (shown in the log at start). */
export type HolderChoice =
  | { setup: HolderSetup; reason: null }
  | { setup: null; reason: string };

/**
 * Picks the holder executable: `configured` (AIKORE_HOLDER_BIN; "off" turns holders off),
 * else the one built from source or shipped beside AiKore. Without one, instances run inside
 * AiKore as before: they end when AiKore ends.
 */
export function chooseHolder(configured: string | undefined, runtimeRoot: string): HolderChoice {
  if (configured === HOLDERS_OFF) {
    return { setup: null, reason: `${HOLDER_BIN_VARIABLE}=${HOLDERS_OFF}` };
  }
  try {
    const env = configured ? { [HOLDER_BIN_VARIABLE]: configured } : {};
    return { setup: { binary: holderBinaryPath(env), runtimeRoot }, reason: null };
  } catch (error) {
    return { setup: null, reason: error instanceof Error ? error.message : String(error) };
  }
}
