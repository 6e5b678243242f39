/**
 * terminal.ts — `wasm86 boot` on a terminal: the PC's screen drawn live
 * with ANSI colours, the keyboard read in raw mode and turned into
 * scancodes. Ctrl+] quits.
 *
 * The guest still runs in virtual time, paced to the wall clock: when
 * virtual time gets ahead of real time the loop sleeps, so games that
 * count timer ticks run at their real speed (unless --realtime, where the
 * clock is the wall clock already). What this is not: a full terminal
 * emulator — text modes are drawn cell for cell, graphics modes as a
 * downscaled half-block preview.
 */
import type { PC } from "../pc/pc.js";
import { ansiScreen, textScreen } from "../pc/screen.js";
import { framebuffer, previewAnsi, cursorInfo } from "../pc/video/render.js";
import { keyForChar, typeKey, type Key } from "./keys.js";

/** Ctrl+] — the quit key (as telnet's escape). */
export const QUIT_BYTE = 0x1d;

/** Terminal input sequences for the keys that have no character. */
const SEQUENCES: [string, number][] = [
  ["\x1b[A", 0xe048], ["\x1b[B", 0xe050], ["\x1b[C", 0xe04d], ["\x1b[D", 0xe04b],
  ["\x1b[H", 0xe047], ["\x1b[F", 0xe04f], ["\x1b[1~", 0xe047], ["\x1b[4~", 0xe04f],
  ["\x1b[5~", 0xe049], ["\x1b[6~", 0xe051], ["\x1b[2~", 0xe052], ["\x1b[3~", 0xe053],
  ["\x1bOP", 0x3b], ["\x1bOQ", 0x3c], ["\x1bOR", 0x3d], ["\x1bOS", 0x3e],
  ["\x1b[15~", 0x3f], ["\x1b[17~", 0x40], ["\x1b[18~", 0x41], ["\x1b[19~", 0x42], ["\x1b[20~", 0x43], ["\x1b[21~", 0x44],
];

/** Split terminal input into PC keys (exported for tests). */
export function terminalKeys(input: string): Key[] {
  const keys: Key[] = [];
  for (let i = 0; i < input.length;) {
    const seq = SEQUENCES.find(([s]) => input.startsWith(s, i));
    if (seq) { keys.push({ code: seq[1], shift: false }); i += seq[0].length; continue; }
    const ch = input[i++];
    const code = ch.charCodeAt(0);
    if (ch === "\r") { keys.push({ code: 0x1c, shift: false }); continue; }
    if (code >= 1 && code <= 26 && ch !== "\t" && ch !== "\b") {
      // Ctrl+letter: hold Ctrl around the letter's key.
      const k = keyForChar(String.fromCharCode(code + 0x60));
      if (k && !("wait" in k)) keys.push({ code: k.code, shift: false, ctrl: true });
      continue;
    }
    const k = keyForChar(ch);
    if (k) keys.push(k);
  }
  return keys;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Run the PC interactively until the user quits or the guest stops. */
export async function runInteractive(pc: PC, stdin: NodeJS.ReadStream, stdout: NodeJS.WriteStream): Promise<string> {
  const pending: Key[] = [];
  let quit = false;
  const onData = (buf: Buffer) => {
    const s = buf.toString("latin1");
    if (s.includes(String.fromCharCode(QUIT_BYTE))) { quit = true; return; }
    pending.push(...terminalKeys(s));
  };
  stdin.setRawMode(true);
  stdin.on("data", onData);
  stdin.resume();
  stdout.write("\x1b[?1049h\x1b[?25l"); // alternate screen, hide cursor
  let last = "";
  const wallStart = performance.now();
  let reason = "quit";
  try {
    for (;;) {
      if (quit) break;
      // Keys go in one at a time, when the guest has taken the last one.
      if (pending.length && pc.keyboard.pendingScancodes === 0 && !pc.keyboardBios.hasKey) typeKey(pc.keyboard, pending.shift()!);
      // PC.run returns before its budget only when the guest cannot go on
      // (halted for good, reset, isa-debug-exit, nothing to boot).
      const r = pc.run({ maxInstructions: 500_000 });
      if (r.reason !== "budget") { reason = r.message ?? r.reason; draw(); break; }
      draw();
      // Pace virtual time to the wall clock.
      const ahead = pc.clock.nowNs() / 1e6 - (performance.now() - wallStart);
      await sleep(ahead > 1 ? Math.min(ahead, 50) : 0);
    }
    if (!quit) {
      stdout.write(`\x1b[${(rowsOf(pc) + 2)};1H\x1b[0mwasm86: ${reason} — press Ctrl+] to quit`);
      while (!quit) await sleep(50);
    }
  } finally {
    stdin.off("data", onData);
    stdin.setRawMode(false);
    stdin.pause();
    stdout.write("\x1b[0m\x1b[?25h\x1b[?1049l");
  }
  return reason;

  function draw(): void {
    const text = textScreen(pc);
    let frame: string;
    if (text.length > 0) {
      const rows = ansiScreen(pc);
      const cur = cursorInfo(pc.vga);
      frame = rows.map((row, i) => `\x1b[${i + 1};1H${row}`).join("")
        + (cur.visible ? `\x1b[${cur.row + 1};${cur.col + 1}H\x1b[?25h` : "\x1b[?25l");
    } else {
      const fb = framebuffer((a, n) => pc.machine.read(a, n), pc.vga);
      const cols = Math.min(stdout.columns ?? 80, 160), rows = Math.min((stdout.rows ?? 25) - 1, 50);
      frame = "\x1b[?25l" + previewAnsi(fb, cols, rows).map((row, i) => `\x1b[${i + 1};1H${row}`).join("");
    }
    if (frame !== last) { stdout.write(frame); last = frame; }
  }
}

function rowsOf(pc: PC): number { return Math.max(textScreen(pc).length, 25); }
