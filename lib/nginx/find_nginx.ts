const SEARCH_DIRS = ["/usr/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin", "/sbin"];

async function executable(path: string): Promise<string | null> {
  try {
    const info = await Deno.stat(path);
    if (!info.isFile || ((info.mode ?? 0) & 0o111) === 0) return null;
    return await Deno.realPath(path);
  } catch {
    return null;
  }
}

/**
 * The absolute path of the NGINX binary `binary` names (a path, or a name looked up on PATH
 * and the usual sbin folders), or null when it is not installed.
 */
export async function findNginx(binary: string): Promise<string | null> {
  if (binary.includes("/")) return await executable(binary);
  const path = Deno.env.get("PATH") ?? "";
  for (const dir of [...path.split(":").filter(Boolean), ...SEARCH_DIRS]) {
    const found = await executable(`${dir}/${binary}`);
    if (found) return found;
  }
  return null;
}

/**
 * Why the NGINX at `path` cannot serve as AiKore's gateway (it must have the auth_request
 * module: Debian's `nginx` package, 1.22 or later, does), or null when it can.
 */
export async function nginxBuildProblem(path: string): Promise<string | null> {
  let text: string;
  try {
    const output = await new Deno.Command(path, { args: ["-V"], stdout: "piped", stderr: "piped" })
      .output();
    text = new TextDecoder().decode(output.stderr) + new TextDecoder().decode(output.stdout);
  } catch (error) {
    return `cannot run ${path}: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (!text.includes("--with-http_auth_request_module")) {
    return `${path} was built without the auth_request module (install Debian's "nginx" package)`;
  }
  return null;
}
