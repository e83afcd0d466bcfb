/**
 * Bytes of an Xauthority file with one MIT-MAGIC-COOKIE-1 entry for `display`, valid from any
 * address (family "wild"): the X server is started with `-auth <file>` and every client gets
 * `XAUTHORITY=<file>`, so another local user cannot open windows on, or read, the desktop.
 */
export function xauthorityBytes(display: number, cookie: Uint8Array): Uint8Array {
  const encoder = new TextEncoder();
  const fields = [
    new Uint8Array(0),
    encoder.encode(String(display)),
    encoder.encode("MIT-MAGIC-COOKIE-1"),
    cookie,
  ];
  const size = 2 + fields.reduce((sum, field) => sum + 2 + field.length, 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, 0xffff); // FamilyWild, big-endian like every length below
  let offset = 2;
  for (const field of fields) {
    view.setUint16(offset, field.length);
    bytes.set(field, offset + 2);
    offset += 2 + field.length;
  }
  return bytes;
}

/** A fresh random 16-byte cookie. */
export function newCookie(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(16));
}
