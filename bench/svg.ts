/**
 * svg.ts — bench/results/interp.svg: a grouped bar chart of guest MIPS per
 * kernel (interpreter, eager flags, JIT, v86: whichever the run measured)
 * plus their geometric mean, with labelled axes, the run's date and host,
 * and the JIT's speedup over the interpreter under each group.
 *
 * Hand-written SVG 1.1 (no dependency, no script, no external font): it
 * draws what it is given and measures nothing.
 */
import { BUILD_LABELS, geomeans, type Build, type KernelSummary } from "./results.js";

export interface ChartInfo {
  date: string;
  cpu: string;
  host: string;
  node: string;
  /** e.g. "v86 0.5.462" when v86 was measured. */
  note?: string;
}

const COLORS: Record<Build, string> = {
  default: "#4e79a7", "eager-flags": "#9c9c9c", jit: "#f28e2b", v86: "#59a14f",
};

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k) at or above x. */
function niceCeil(x: number): number {
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

export function renderSvg(kernels: KernelSummary[], builds: Build[], info: ChartInfo): string {
  const g = geomeans(kernels);
  const groups = [
    ...kernels.map((k) => ({ label: k.rom.replace(/^bench-|\.bin$/g, ""), mips: k.mips })),
    { label: "geomean", mips: g },
  ];
  const bar = 26, gap = 34;
  const groupW = builds.length * bar + gap;
  const left = 64, right = 20, top = 78, plotH = 280, bottom = 74;
  const width = Math.max(640, left + right + groups.length * groupW);
  const height = top + plotH + bottom;
  const max = niceCeil(Math.max(1, ...groups.flatMap((gr) => builds.map((b) => gr.mips[b] ?? 0))) * 1.08);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const out: string[] = [];
  const text = (x: number, yy: number, s: string, attrs = "") => out.push(`<text x="${x.toFixed(1)}" y="${yy.toFixed(1)}"${attrs ? " " + attrs : ""}>${esc(s)}</text>`);

  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  text(left, 24, "wasm86: guest MIPS per compute kernel (higher is better)", `font-size="15" font-weight="bold"`);
  text(left, 42, `${info.date} · ${info.cpu} model · medians · ${info.host} · Node ${info.node}${info.note ? ` · ${info.note}` : ""}`, `fill="#555"`);

  // Legend.
  let lx = left;
  for (const b of builds) {
    out.push(`<rect x="${lx}" y="52" width="12" height="12" fill="${COLORS[b]}"/>`);
    text(lx + 16, 62, BUILD_LABELS[b]);
    lx += 24 + BUILD_LABELS[b].length * 7;
  }

  // Y axis: gridlines and ticks every max/5.
  for (let i = 0; i <= 5; i++) {
    const v = (max / 5) * i, yy = y(v);
    out.push(`<line x1="${left}" y1="${yy.toFixed(1)}" x2="${width - right}" y2="${yy.toFixed(1)}" stroke="${i ? "#e3e3e3" : "#333"}"/>`);
    text(left - 6, yy + 4, String(Math.round(v * 10) / 10), `text-anchor="end"`);
  }
  out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#333"/>`);
  text(16, top + plotH / 2, "guest MIPS (median)", `transform="rotate(-90 16 ${top + plotH / 2})" text-anchor="middle"`);

  // Bars, values, group labels and speedups.
  groups.forEach((gr, gi) => {
    const x0 = left + gap / 2 + gi * groupW;
    builds.forEach((b, bi) => {
      const v = gr.mips[b];
      if (v === undefined) return;
      const x = x0 + bi * bar;
      out.push(`<rect x="${x}" y="${y(v).toFixed(1)}" width="${bar - 3}" height="${(top + plotH - y(v)).toFixed(1)}" fill="${COLORS[b]}"><title>${esc(`${gr.label} ${BUILD_LABELS[b]}: ${v.toFixed(1)} MIPS`)}</title></rect>`);
      text(x + (bar - 3) / 2, y(v) - 4, v.toFixed(0), `text-anchor="middle" font-size="10"`);
    });
    const cx = x0 + (builds.length * bar - 3) / 2;
    text(cx, top + plotH + 18, gr.label, `text-anchor="middle" font-weight="${gr.label === "geomean" ? "bold" : "normal"}"`);
    const { default: interp, jit, v86 } = gr.mips;
    const notes: string[] = [];
    if (interp && jit) notes.push(`JIT ${(jit / interp).toFixed(2)}×`);
    if (jit && v86) notes.push(`JIT/v86 ${(jit / v86).toFixed(2)}×`);
    else if (interp && v86) notes.push(`int/v86 ${(interp / v86).toFixed(2)}×`);
    notes.forEach((n, i) => text(cx, top + plotH + 34 + 14 * i, n, `text-anchor="middle" font-size="11" fill="#444"`));
  });
  text(left + (width - left - right) / 2, height - 8, "compute kernel (roms/bench-*.bin, each run from reset to its HLT)", `text-anchor="middle"`);
  out.push("</svg>");
  return out.join("\n") + "\n";
}
