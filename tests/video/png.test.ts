/**
 * png.test.ts — the PNG encoder, checked by a small decoder written here
 * (chunk walk, CRC of every chunk against node:zlib's crc32, IHDR fields,
 * inflate, filter type 0 on every row) and by round-tripping pixels.
 */
import { describe, it, expect } from "vitest";
import { crc32 as zlibCrc32, inflateSync } from "node:zlib";
import { encodePng, crc32 } from "../../src/pc/video/png.js";

interface Decoded {
  width: number; height: number; bitDepth: number; colorType: number; interlace: number;
  chunks: string[]; rgba: Uint8Array;
}

function decode(png: Uint8Array): Decoded {
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: string[] = [];
  const idat: Uint8Array[] = [];
  let ihdr: DataView | undefined;
  let o = 8;
  while (o < png.length) {
    const len = view.getUint32(o);
    const type = String.fromCharCode(...png.subarray(o + 4, o + 8));
    const body = png.subarray(o + 4, o + 8 + len); // type + data, what the CRC covers
    expect([type, view.getUint32(o + 8 + len)]).toEqual([type, zlibCrc32(body)]);
    const data = png.subarray(o + 8, o + 8 + len);
    if (type === "IHDR") ihdr = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (type === "IDAT") idat.push(data);
    chunks.push(type);
    o += 12 + len;
  }
  expect(o).toBe(png.length);
  if (!ihdr) throw new Error("no IHDR");
  const width = ihdr.getUint32(0), height = ihdr.getUint32(4);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  expect(raw.length).toBe((stride + 1) * height);
  const rgba = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (stride + 1)]).toBe(0); // filter type 0
    rgba.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return {
    width, height, bitDepth: ihdr.getUint8(8), colorType: ihdr.getUint8(9), interlace: ihdr.getUint8(12),
    chunks, rgba,
  };
}

describe("encodePng", () => {
  it("writes IHDR, IDAT, IEND with valid CRCs and the exact pixels", () => {
    const width = 7, height = 5;
    const rgba = new Uint8Array(width * height * 4);
    let seed = 12345;
    for (let i = 0; i < rgba.length; i++) { seed = (seed * 1103515245 + 12345) >>> 0; rgba[i] = seed >>> 24; }
    const d = decode(encodePng(rgba, width, height));
    expect(d.chunks).toEqual(["IHDR", "IDAT", "IEND"]);
    expect([d.width, d.height, d.bitDepth, d.colorType, d.interlace]).toEqual([7, 5, 8, 6, 0]);
    expect(d.rgba).toEqual(rgba);
  });

  it("round-trips a screen-sized image that compresses well", () => {
    const width = 640, height = 400;
    const rgba = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) {
      // 8×16 cells of 16 colours, like a text screen
      for (let x = 0; x < width; x++) {
        const c = ((x >> 3) * 7 + (y >> 4) * 3) & 15;
        rgba.set([c * 17, (c * 85) & 0xff, 255 - c * 16, 255], (y * width + x) * 4);
      }
    }
    const png = encodePng(rgba, width, height);
    expect(png.length).toBeLessThan(rgba.length / 4);
    expect(decode(png).rgba).toEqual(rgba);
  });

  it("refuses sizes PNG cannot hold and buffers of the wrong length", () => {
    expect(() => encodePng(new Uint8Array(0), 0, 1)).toThrow(RangeError);
    expect(() => encodePng(new Uint8Array(4), 1.5, 1)).toThrow(RangeError);
    expect(() => encodePng(new Uint8Array(8), 1, 1)).toThrow(RangeError);
  });
});

describe("crc32", () => {
  it("is the standard CRC-32", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff);
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
  });
});
