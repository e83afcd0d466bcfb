/** Where the managed NGINX keeps its files; everything lives under `<dataDir>/nginx`. */
export interface NginxPaths {
  /** NGINX's `-p` prefix. */
  prefix: string;
  /** The live configuration (only ever replaced by rename). */
  confFile: string;
  pidFile: string;
  errorLog: string;
  /** Parent of the body/proxy/fastcgi/uwsgi/scgi temp dirs. */
  tempDir: string;
  /** Candidate configs are written and tested here before the swap. */
  stagingDir: string;
  stagingConf: string;
  /** Hard link to the config that was live before the last swap (for rollback). */
  previousConf: string;
  /** The last config that failed its test or reload, kept for inspection. */
  quarantineConf: string;
}

// Paths are rendered inside double quotes; reject anything that could end or alter a token.
const SAFE_PATH_RE = /^\/[A-Za-z0-9._/@+=,~ -]*$/;

/** Why `path` cannot appear in the NGINX config, or null. */
export function configPathProblem(path: string): string | null {
  if (!SAFE_PATH_RE.test(path) || path.split("/").includes("..")) {
    return `path ${
      JSON.stringify(path)
    } must be absolute and use only letters, digits, spaces and ._/@+=,~-`;
  }
  return null;
}

/** The managed NGINX's paths for `dataDir`; throws when the path cannot be rendered safely. */
export function nginxPaths(dataDir: string): NginxPaths {
  const prefix = `${dataDir.replace(/\/+$/, "")}/nginx`;
  const problem = configPathProblem(prefix);
  if (problem) throw new RangeError(`Cannot run the gateway under this data dir: ${problem}`);
  return {
    prefix,
    confFile: `${prefix}/nginx.conf`,
    pidFile: `${prefix}/nginx.pid`,
    errorLog: `${prefix}/logs/error.log`,
    tempDir: `${prefix}/tmp`,
    stagingDir: `${prefix}/staging`,
    stagingConf: `${prefix}/staging/nginx.conf`,
    previousConf: `${prefix}/nginx.conf.prev`,
    quarantineConf: `${prefix}/nginx.conf.err`,
  };
}
