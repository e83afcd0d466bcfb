/** Small file-system helpers shared by every domain. */

/** True when `path` exists (any type, symlinks not followed). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Writes a file atomically: temp file in the same folder, fsync, rename. */
export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  const temp = `${path}.tmp-${crypto.randomUUID()}`;
  try {
    const file = await Deno.open(temp, { write: true, createNew: true, mode });
    try {
      const bytes = new TextEncoder().encode(content);
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.chmod(temp, mode);
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}
