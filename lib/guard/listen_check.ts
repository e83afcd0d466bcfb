/** A clear refusal when an address AiKore must listen on is taken, instead of a stack trace. */
export class AddressInUseError extends Error {
  constructor(readonly hostname: string, readonly port: number, readonly variable: string) {
    super(
      `port ${port} on ${hostname} (${variable}) is already in use by another program; ` +
        `free it or choose another port`,
    );
    this.name = "AddressInUseError";
  }
}

/**
 * Throws AddressInUseError when `hostname:port` cannot be bound right now. Port 0 (any free
 * port) always passes. Another program may still take the port afterwards; the caller treats
 * a later AddrInUse the same way.
 */
export function assertCanListen(hostname: string, port: number, variable: string): void {
  if (port === 0) return;
  try {
    Deno.listen({ hostname, port, transport: "tcp" }).close();
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new AddressInUseError(hostname, port, variable);
    }
    throw error;
  }
}
