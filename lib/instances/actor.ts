/** Who asked for an operation, for the audit log. */
export interface Actor {
  actor: string;
  client: string | null;
}

/** The actor for work AiKore does by itself (boot, restart policy). */
export const SYSTEM_ACTOR: Actor = { actor: "system", client: null };
