/**
 * keys.ts — text to PC keystrokes: the `--keys` mini-language and the
 * ASCII → scancode (set 1) map used for scripted and terminal input.
 *
 * --keys TEXT: characters are typed as they are; escapes:
 *   \n or {enter}   Enter          {esc} \e   Escape      {tab} \t   Tab
 *   {bs} \b         Backspace      {up} {down} {left} {right} {home} {end}
 *   {pgup} {pgdn} {ins} {del}      {f1} … {f10}
 *   {wait}          no key: let the guest drain the keyboard first
 *   \\ and \{       a literal backslash or brace
 */

import type { KeyboardController } from "../pc/devices/keyboard.js";

/** A key to press: a set-1 make code (0xE0xx for extended keys) and the
 *  modifiers held around it. `wait` marks a pacing pause. */
export type Key = { code: number; shift: boolean; ctrl?: boolean } | { wait: true };

const LSHIFT = 0x2a, LCTRL = 0x1d;

/** Press and release `key` on the keyboard, with its modifiers around it. */
export function typeKey(kbd: KeyboardController, key: Key): void {
  if ("wait" in key) return;
  if (key.ctrl) kbd.keyDown(LCTRL);
  if (key.shift) kbd.keyDown(LSHIFT);
  kbd.pressKey(key.code);
  if (key.shift) kbd.keyUp(LSHIFT);
  if (key.ctrl) kbd.keyUp(LCTRL);
}

const UNSHIFTED: Record<string, number> = {};
const SHIFTED: Record<string, number> = {};
{
  const rows: [string, string, number][] = [
    ["1234567890-=", "!@#$%^&*()_+", 0x02],
    ["qwertyuiop[]", "QWERTYUIOP{}", 0x10],
    ["asdfghjkl;'`", "ASDFGHJKL:\"~", 0x1e],
    ["zxcvbnm,./", "ZXCVBNM<>?", 0x2c],
  ];
  for (const [lo, hi, first] of rows) {
    [...lo].forEach((ch, i) => { UNSHIFTED[ch] = first + i; });
    [...hi].forEach((ch, i) => { SHIFTED[ch] = first + i; });
  }
  UNSHIFTED["\\"] = 0x2b; SHIFTED["|"] = 0x2b;
  UNSHIFTED[" "] = 0x39; UNSHIFTED["\r"] = 0x1c; UNSHIFTED["\n"] = 0x1c;
  UNSHIFTED["\t"] = 0x0f; UNSHIFTED["\b"] = 0x0e; UNSHIFTED["\x7f"] = 0x0e; UNSHIFTED["\x1b"] = 0x01;
}

const NAMED: Record<string, number> = {
  enter: 0x1c, esc: 0x01, tab: 0x0f, bs: 0x0e, space: 0x39,
  up: 0xe048, down: 0xe050, left: 0xe04b, right: 0xe04d, home: 0xe047, end: 0xe04f,
  pgup: 0xe049, pgdn: 0xe051, ins: 0xe052, del: 0xe053,
  f1: 0x3b, f2: 0x3c, f3: 0x3d, f4: 0x3e, f5: 0x3f, f6: 0x40, f7: 0x41, f8: 0x42, f9: 0x43, f10: 0x44,
};

/** The key for one character, or undefined if it has none. */
export function keyForChar(ch: string): Key | undefined {
  if (ch in UNSHIFTED) return { code: UNSHIFTED[ch], shift: false };
  if (ch in SHIFTED) return { code: SHIFTED[ch], shift: true };
  return undefined;
}

export class KeySyntaxError extends Error {}

/** Parse the --keys mini-language. */
export function parseKeys(text: string): Key[] {
  const keys: Key[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "{") {
      const end = text.indexOf("}", i);
      if (end < 0) throw new KeySyntaxError(`--keys: unclosed "{" at position ${i}`);
      const name = text.slice(i + 1, end).toLowerCase();
      if (name === "wait") keys.push({ wait: true });
      else if (name in NAMED) keys.push({ code: NAMED[name], shift: false });
      else throw new KeySyntaxError(`--keys: unknown key {${name}} (known: ${Object.keys(NAMED).join(", ")}, wait)`);
      i = end;
      continue;
    }
    let c = ch;
    if (ch === "\\" && i + 1 < text.length) {
      const e = text[++i];
      c = e === "n" ? "\n" : e === "e" ? "\x1b" : e === "t" ? "\t" : e === "b" ? "\b" : e;
    }
    const k = keyForChar(c);
    if (!k) throw new KeySyntaxError(`--keys: no key types ${JSON.stringify(c)}`);
    keys.push(k);
  }
  return keys;
}
