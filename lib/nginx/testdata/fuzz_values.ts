/** Random gateway models for the T12 fuzz test: mostly valid, with hostile values mixed in. */
import type { GatewayModel } from "../gateway_model.ts";

export { seededRandom } from "../../../tests/helpers/seeded_random.ts";

type Random = () => number;
const pick = <T>(random: Random, list: readonly T[]): T =>
  list[Math.floor(random() * list.length)] as T;
const int = (random: Random, min: number, max: number) =>
  min + Math.floor(random() * (max - min + 1));

/** Values that have broken config generators elsewhere, plus GPU-ish and lookalike strings. */
export const HOSTILE = [
  "a;}server{",
  "a;} server { listen 80; }",
  "$host",
  "${host}",
  '"',
  "'",
  'a"b',
  "a'b",
  "\n",
  "a\nb",
  "a\r\nb",
  "a b",
  "a\tb",
  "#",
  "a#b",
  "{",
  "}",
  "\\",
  "a\\",
  "\u0000",
  "a;include /etc/passwd;",
  "include",
  "x;return 200",
  "€",
  "ü.lan",
  "😀",
  "a\u202eb",
  "ｆｕｌｌ",
  "..",
  "/",
  "a/b",
  "a:b",
  "*",
  "~",
  "a;",
  ";",
  "",
  " ",
  "-",
  "a-",
  "-a",
  "0x1F",
  "1e3",
  "NaN",
  "api",
  "_aikore",
  "localhost",
  "127.0.0.1",
  "[::1]",
  "::1",
  "0.0.0.0",
  "::",
  "256.1.1.1",
  "a.b.c",
  "0,1",
  "all",
  "0;rm -rf /",
  "-1",
  "GPU-12345678-1234-1234-1234-123456789abc",
  "comfy.lan:8080",
  "*.aikore.lan",
  "xn--bcher-kva.de",
  "a".repeat(64),
  `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`,
  "\u00a0",
];

const SLUG_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-";
const ODD_CHARS = "ABZ_.;{}$\"' \t\n#\\/:@=,~é€😀\u0000";

function randomWord(random: Random): string {
  const length = int(random, 0, random() < 0.9 ? 20 : 70);
  let word = "";
  for (let i = 0; i < length; i++) {
    word += random() < 0.97 ? pick(random, [...SLUG_CHARS]) : pick(random, [...ODD_CHARS]);
  }
  return word;
}

function randomHost(random: Random): string {
  const labels = Array.from(
    { length: int(random, 1, 4) },
    () => randomWord(random).replace(/^-+|-+$/g, "") || "a",
  );
  const host = labels.join(".");
  return random() < 0.1 ? host.toUpperCase() : random() < 0.05 ? `${host}.` : host;
}

function randomString(random: Random): string {
  const roll = random();
  if (roll < 0.35) return pick(random, HOSTILE);
  if (roll < 0.7) return randomWord(random);
  return randomHost(random);
}

function randomPort(random: Random): unknown {
  const roll = random();
  if (roll < 0.75) return int(random, 1024, 65535);
  if (roll < 0.9) return pick(random, [-5, 0, 1, 80, 443, 1023, 65536, 99999, 2 ** 31]);
  return pick(random, [1.5, NaN, Infinity, "19001", null, "80;", true]);
}

function randomIp(random: Random): string {
  const roll = random();
  if (roll < 0.5) {
    return pick(random, ["0.0.0.0", "127.0.0.1", "::", "::1", "[::]", "192.168.1.5", "fe80::1"]);
  }
  if (roll < 0.7) return Array.from({ length: 4 }, () => int(random, 0, 300)).join(".");
  return randomString(random);
}

/** One random model: a valid base with 1-4 random mutations (any of which may be hostile). */
export function randomModel(random: Random): GatewayModel {
  const model: GatewayModel = {
    listenHost: "0.0.0.0",
    dashboardPort: 9000,
    backendPort: 9100,
    serverNames: random() < 0.5 ? [] : ["localhost", "127.0.0.1"],
    poolPorts: Array.from({ length: int(random, 0, 3) }, (_, i) => 19001 + i),
  };
  if (random() < 0.3) model.sessionCookieName = "aikore_session";
  const record = model as unknown as Record<string, unknown>;
  for (let m = int(random, 1, 4); m > 0; m--) {
    const pool = (Array.isArray(model.poolPorts) ? model.poolPorts : []) as unknown[];
    switch (int(random, 0, 11)) {
      case 0:
        if (pool.length > 0) pool[0] = random() < 0.5 ? randomWord(random) : randomString(random);
        break;
      case 1:
        pool.push(pool[0] ?? 19001);
        break;
      case 2:
        model.serverNames = Array.from(
          { length: int(random, 0, 3) },
          () => random() < 0.5 ? randomHost(random) : randomString(random),
        );
        break;
      case 3:
        model.listenHost = randomIp(random);
        break;
      case 4:
        record.dashboardPort = randomPort(random);
        break;
      case 5:
        record.backendPort = randomPort(random);
        break;
      case 6:
        pool.push(randomPort(random));
        break;
      case 7:
        pool.push(record.dashboardPort);
        break;
      case 8:
        record.maxUploadBytes = pick(random, [0, 1, 1024, 2 ** 40, -1, 1.5, 2 ** 60, NaN, "1m"]);
        break;
      case 9:
        record.sessionCookieName = random() < 0.5 ? randomWord(random) : randomString(random);
        break;
      case 10:
        record.poolPorts = pick(random, [null, "19001", [19001.5], {}]);
        break;
      default:
        pool.push(randomString(random));
        break;
    }
  }
  return model;
}
