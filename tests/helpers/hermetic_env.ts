/**
 * The environment tests give instances and terminals: a fresh HOME inside the test's data
 * dir (no rc files), a fixed PATH and locale — never the developer's or CI's HOME, whose
 * .bashrc may print or sleep.
 */
export function hermeticBaseEnv(dataDir: string): Record<string, string> {
  const home = `${dataDir}/home`;
  Deno.mkdirSync(home, { recursive: true });
  return {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: home,
    LANG: "C.UTF-8",
    USER: "aikore-test",
  };
}
