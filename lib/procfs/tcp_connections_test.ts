import { assertEquals } from "../../tests/helpers/assert.ts";
import { countEstablishedIn, establishedConnections } from "./tcp_connections.ts";

const TABLE = [
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
  "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1",
  "   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 2 1",
  "   2: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 3 1",
  "   3: 0100007F:1F90 0100007F:C351 06 00000000:00000000 03:00000000 00000000     0        0 0 3",
  "   4: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:D000 01 0:0 0:0 0 0 0 4",
  "garbage",
].join("\n");

Deno.test("only established connections whose local port is asked for are counted (v4 and v6 lines)", () => {
  const counts = new Map<number, number>();
  countEstablishedIn(TABLE, new Set([0x1f90, 0x1234]), counts);
  // Line 0 listens, line 2 is the client's end (local port C350), line 3 is TIME_WAIT.
  assertEquals(counts, new Map([[0x1f90, 2]]));
});

Deno.test("a real connection to a listener is seen while open and not after it closes", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  try {
    assertEquals(establishedConnections(new Set([port])).get(port), 0, "listening only");
    const client = await Deno.connect({ hostname: "127.0.0.1", port });
    const accepted = await listener.accept();
    assertEquals(establishedConnections(new Set([port])).get(port), 1, "the accepted socket");
    client.close();
    accepted.close();
    assertEquals(establishedConnections(new Set([port])).get(port), 0, "closed on both ends");
  } finally {
    listener.close();
  }
});
