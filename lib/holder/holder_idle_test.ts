import { assert } from "../../tests/helpers/assert.ts";
import { spawnHolder } from "./mod.ts";
import { holderBinary, holderTest, sleep, Viewer } from "./test_support.ts";

/** Context switches of a process so far: a busy loop makes thousands in a fraction of a second. */
function switches(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return [...status.matchAll(/ctxt_switches:\s+(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
}

/** CPU time (utime + stime, clock ticks) of a process so far: a spinning loop uses ~all of it. */
function cpuTicks(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

async function assertAsleep(pid: number, state: string): Promise<void> {
  const [switches0, ticks0] = [switches(pid), cpuTicks(pid)];
  await sleep(300);
  const [woken, ticks] = [switches(pid) - switches0, cpuTicks(pid) - ticks0];
  assert(
    woken <= 2 && ticks <= 1,
    `holder woke ${woken} times, ${ticks} ticks in 300 ms, ${state}`,
  );
}

/**
 * Waits until the holder has read at least `least` bytes and then no more for 100 ms: the app
 * is blocked on its full terminal. (Reaching `least` alone is not enough: on a loaded machine
 * the holder may still be filling its buffers when the check begins.)
 */
async function untilBlocked(head: () => Promise<number>, least: number): Promise<void> {
  const deadline = performance.now() + 10_000;
  let last = -1;
  let steady = 0;
  while (steady < 5) {
    const now = await head();
    assert(performance.now() < deadline, `the holder's head is still moving after 10 s (${now})`);
    steady = now >= least && now === last ? steady + 1 : 0;
    last = now;
    await sleep(20);
  }
}

holderTest(
  "holder idles in poll: quiet app, app ended with a client attached, app held by a client",
  async (t) => {
    const binary = await holderBinary();
    const quiet = await spawnHolder(await t.plan(["sleep", "60"]), { binary });
    await assertAsleep(quiet.holderPid, "the app is quiet and no client is connected");

    // The app waits for a line: attached first, so the holder stays for this client.
    const done = await spawnHolder(await t.plan(["bash", "-c", "read _; echo done"]), { binary });
    const connection = await done.connect();
    const viewer = new Viewer(connection);
    await connection.attach({ from: 0 }, viewer.handlers);
    await connection.write("\n");
    await viewer.waitFor((v) => v.exit !== null, "the exit");
    await assertAsleep(done.holderPid, "the app ended and a client stays attached");
    connection.close();

    const held = await spawnHolder(await t.plan(["yes"], { scrollbackBytes: 65536 }), { binary });
    const holding = await held.connect();
    await holding.attach({ from: 0, hold: true, window: 4096, autoAck: false }, { onOutput() {} });
    await untilBlocked(() => holding.status().then((status) => status.head), 4096 + 65536);
    await assertAsleep(held.holderPid, "a hold client stopped acking and the app is blocked");
    holding.close();
  },
);
