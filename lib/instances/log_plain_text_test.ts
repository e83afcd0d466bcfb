import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { seededRandom } from "../../tests/helpers/seeded_random.ts";
import { lastLines, MAX_PLAIN_LINE, PlainTextLines, plainTextStream } from "./log_plain_text.ts";

function plain(text: string): string {
  const lines = new PlainTextLines();
  return lines.push(text) + lines.end();
}

async function plainBytes(chunks: Uint8Array[]): Promise<string> {
  const stream = ReadableStream.from(chunks).pipeThrough(plainTextStream());
  return await new Response(stream).text();
}

Deno.test("colours, titles and other sequences leave only the text", () => {
  assertEquals(plain("\x1b[1;31mERROR\x1b[0m: out of memory\r\n"), "ERROR: out of memory\n");
  assertEquals(plain("\x1b]0;a window title\x07shown\n"), "shown\n", "OSC ended by BEL");
  assertEquals(plain("\x1b]8;;https://x.example\x1b\\link\x1b]8;;\x1b\\\n"), "link\n", "OSC by ST");
  assertEquals(plain("\x1bP1$r0m\x1b\\a\x1b=b\x1b(Bc\n"), "abc\n", "DCS, ESC =, charset");
  assertEquals(plain("\u009b31mC1\u009bm controls\n"), "C1 controls\n");
  assertEquals(plain("bell\x07 and nul\x00 gone\n"), "bell and nul gone\n");
  assertEquals(
    plain("cut\x1b[\nnext\n"),
    "cut\nnext\n",
    "a newline inside a sequence still ends the line",
  );
});

Deno.test("a progress bar redrawn with \\r keeps its last state; erase and cursor moves apply", () => {
  const bar = (p: number) => `\rdownloading ${String(p).padStart(3)}% |${"#".repeat(p / 10)}`;
  const redraws = [0, 10, 50, 100].map(bar).join("") + "\r\n";
  assertEquals(plain(redraws), "downloading 100% |##########\n");
  assertEquals(plain("long text here\rshort\n"), "shorttext here\n", "what a terminal shows");
  assertEquals(plain("long text here\rshort\x1b[K\n"), "short\n", "ESC [ K erases to the end");
  assertEquals(plain("abcdef\x1b[3D\x1b[1KX\n"), "   Xef\n", "ESC [ 1 K erases up to the cursor");
  assertEquals(plain("abc\x1b[2Kdef\n"), "   def\n", "ESC [ 2 K clears, the cursor stays");
  assertEquals(plain("ab\bc\n"), "ac\n", "backspace then overwrite");
  assertEquals(plain("a\x1b[5Gb\n"), "a   b\n", "column 5");
  assertEquals(
    plain("a\x1b[99999Gb\n").length,
    1024 + 2,
    "a cursor move pads no further than 1024",
  );
  assertEquals(plain("x\x1b[2Cy\n"), "x  y\n");
});

Deno.test("an endless line is cut at the bound; the unfinished line comes with end()", () => {
  const lines = new PlainTextLines();
  const out = lines.push("z".repeat(MAX_PLAIN_LINE + 10));
  assertEquals(out, `${"z".repeat(MAX_PLAIN_LINE + 10)}\n`, "cut once past the bound");
  assertEquals(lines.push("tail"), "");
  assertEquals(lines.end(), "tail");
  assertEquals(lines.end(), "");
});

Deno.test("cut anywhere (seed 7117), bytes give the same text as the whole: sequences and UTF-8 survive", async () => {
  const seed = 7117;
  const random = seededRandom(seed);
  const pieces = [
    "\x1b[32mstarting\x1b[0m ☕ café\r\n",
    ...Array.from({ length: 40 }, (_, i) => `\r\x1b[2K${i}/40 ▕${"█".repeat(i % 20)}▏`),
    "\r\n\x1b]0;title\x07done 🎉\n",
    "\xff-invalid-\n",
  ];
  const text = pieces.join("");
  const bytes = new TextEncoder().encode(text.replace("\xff", ""));
  const whole = plain(new TextDecoder().decode(bytes));
  assertEquals(whole.split("\n").slice(0, 3), [
    "starting ☕ café",
    "39/40 ▕███████████████████▏",
    "done 🎉",
  ]);
  for (let round = 0; round < 50; round++) {
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length;) {
      const size = 1 + Math.floor(random() * 7);
      chunks.push(bytes.subarray(at, at + size));
      at += size;
    }
    assertEquals(await plainBytes(chunks), whole, `seed ${seed}, round ${round}`);
  }
  const invalid = await plainBytes([new Uint8Array([0x61, 0xff, 0xfe, 0x62, 0x0a])]);
  assertEquals(invalid, "a\ufffd\ufffdb\n", "invalid bytes become U+FFFD");
});

Deno.test("last lines drop colours, blank lines and progress redraws, and cut long ones", () => {
  const text = "a\n\n\u001b[31mERROR: CUDA out of memory\u001b[0m\r\n" +
    "10%\r50%\r100%\nlast\n";
  assertEquals(lastLines(text, 8), ["a", "ERROR: CUDA out of memory", "100%", "last"]);
  assertEquals(lastLines(text, 2), ["100%", "last"]);
  const long = lastLines(`${"x".repeat(400)}\n`, 1)[0] ?? "";
  assertEquals(long.length, 301);
  assert(long.endsWith("…"));
});
