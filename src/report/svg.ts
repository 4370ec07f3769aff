import { escapeHtml, truncate } from './escape.ts';
import { formatCompact, formatGrouped, niceTicks } from './scale.ts';

/**
 * Inline SVG charts, generated as strings (no script, no font, no network at view time).
 * Every plotted row is one element with class `mark` and `data-row` (its index in the result), so a
 * test can count marks; the `<svg>` carries `data-result`, `data-rows` and `data-plotted`.
 */
export interface LegendItem {
  label: string;
  color: string;
}

export interface Bar {
  label: string;
  /** Shown after the value, e.g. the category or the poster name. */
  detail?: string;
  value: number;
  color: string;
  /** Index of the row in the result; absent for context bars taken from another result. */
  row?: number;
}

export interface BarChartSpec {
  result: string;
  title: string;
  bars: Bar[];
  /** Rows in the result (may exceed the bars plotted, e.g. top 15 of 200 countries). */
  rows: number;
  valueName: string;
  legend?: LegendItem[];
}

export interface LinePoint {
  x: number;
  y: number;
  row: number;
  label?: string;
  color?: string;
}

export interface LineSeries {
  name: string;
  color: string;
  points: LinePoint[];
}

export interface LineChartSpec {
  result: string;
  title: string;
  series: LineSeries[];
  rows: number;
  xName: string;
  yName: string;
  showLegend: boolean;
}

const FONT = 12;
const CHAR_W = 6.6;
const n2 = (v: number) => Number(v.toFixed(2));

function open(
  kind: string,
  spec: { result: string; title: string; rows: number },
  plotted: number,
  w: number,
  h: number,
) {
  const id = `chart-${spec.result.replace(/[^a-z0-9_-]/gi, '-')}`;
  return (
    `<svg class="chart chart-${kind}" data-result="${escapeHtml(spec.result)}" data-rows="${spec.rows}" ` +
    `data-plotted="${plotted}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" ` +
    `aria-labelledby="${escapeHtml(id)}" xmlns="http://www.w3.org/2000/svg" font-size="${FONT}">` +
    `<title id="${escapeHtml(id)}">${escapeHtml(spec.title)}</title>`
  );
}

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${n2(x)}" y="${n2(y)}"${attrs ? ` ${attrs}` : ''}>${escapeHtml(content)}</text>`;
}

/** Legend rows at (x, y), wrapping at width; returns the markup and the height used. */
function legend(items: LegendItem[], x0: number, y0: number, width: number): { svg: string; height: number } {
  if (items.length === 0) return { svg: '', height: 0 };
  const parts: string[] = ['<g class="legend">'];
  let x = x0;
  let y = y0;
  for (const item of items) {
    const w = 14 + item.label.length * CHAR_W + 18;
    if (x + w > x0 + width && x > x0) {
      x = x0;
      y += 18;
    }
    parts.push(
      `<rect class="swatch" x="${n2(x)}" y="${n2(y - 9)}" width="10" height="10" fill="${item.color}"/>`,
      text(x + 14, y, item.label),
    );
    x += w;
  }
  parts.push('</g>');
  return { svg: parts.join(''), height: y - y0 + 18 };
}

/** Horizontal bars, one per label (countries): long labels fit on the left. */
export function horizontalBarChart(spec: BarChartSpec): string {
  const W = 860;
  const labelW = 210;
  const textW = 270;
  const plotW = W - labelW - textW;
  const top = 30;
  const rowH = 24;
  const plotted = spec.bars.filter((b) => b.row !== undefined).length;
  const plotH = spec.bars.length * rowH;
  const leg = legend(spec.legend ?? [], labelW, top + plotH + 26, plotW + textW);
  const H = top + plotH + 12 + (leg.height ? leg.height + 14 : 0);
  const { max, ticks } = niceTicks(Math.max(0, ...spec.bars.map((b) => b.value)));
  const sx = (v: number) => labelW + (Math.max(0, v) / max) * plotW;
  const out = [open('hbar', spec, plotted, W, H), '<g class="axis">'];
  for (const t of ticks) {
    out.push(
      `<line class="grid" x1="${n2(sx(t))}" x2="${n2(sx(t))}" y1="${top - 4}" y2="${top + plotH}"/>`,
      text(sx(t), top - 10, formatCompact(t), 'text-anchor="middle"'),
    );
  }
  out.push(text(W - 4, 12, spec.valueName, 'text-anchor="end" class="axis-name"'), '</g>');
  spec.bars.forEach((bar, i) => {
    const y = top + i * rowH;
    const w = Math.max(1, sx(bar.value) - labelW);
    const cls = bar.row === undefined ? 'context' : 'mark';
    const rowAttr = bar.row === undefined ? '' : ` data-row="${bar.row}"`;
    const full = `${bar.label}: ${formatGrouped(bar.value)}${bar.detail ? ` (${bar.detail})` : ''}`;
    out.push(
      `<g class="bar">`,
      text(labelW - 8, y + rowH / 2 + 4, truncate(bar.label, 30), 'text-anchor="end" class="label"'),
      `<rect class="${cls}"${rowAttr} data-label="${escapeHtml(bar.label)}" data-value="${bar.value}" ` +
        `x="${labelW}" y="${y + 3}" width="${n2(w)}" height="${rowH - 6}" fill="${bar.color}">` +
        `<title>${escapeHtml(full)}</title></rect>`,
      text(
        labelW + w + 6,
        y + rowH / 2 + 4,
        `${formatGrouped(bar.value)}${bar.detail ? ` · ${truncate(bar.detail, 28)}` : ''}`,
        'class="value"',
      ),
      `</g>`,
    );
  });
  out.push(leg.svg, '</svg>');
  return out.join('');
}

/**
 * The value axis of a vertical plot (bars, lines): the y of a value (0 at the plot's bottom) and the
 * grid lines at round values, each with its label on the left.
 */
function valueAxis(
  values: number[],
  plot: { left: number; plotW: number; top: number; plotH: number },
): { sy: (v: number) => number; grid: string[] } {
  const { left, plotW, top, plotH } = plot;
  const { max, ticks } = niceTicks(Math.max(0, ...values));
  const sy = (v: number) => top + plotH - (Math.max(0, v) / max) * plotH;
  const grid = ticks.flatMap((t) => [
    `<line class="grid" x1="${left}" x2="${left + plotW}" y1="${n2(sy(t))}" y2="${n2(sy(t))}"/>`,
    text(left - 6, sy(t) + 4, formatCompact(t), 'text-anchor="end"'),
  ]);
  return { sy, grid };
}

/** Vertical bars over a few bands (age groups, years). */
export function verticalBarChart(spec: BarChartSpec): string {
  const W = 640;
  const left = 64;
  const right = 16;
  const top = 30;
  const plotH = 220;
  const bottom = 46;
  const plotW = W - left - right;
  const plotted = spec.bars.filter((b) => b.row !== undefined).length;
  const leg = legend(spec.legend ?? [], left, top + plotH + bottom + 6, plotW);
  const H = top + plotH + bottom + (leg.height ? leg.height + 8 : 0);
  const { sy, grid } = valueAxis(
    spec.bars.map((b) => b.value),
    { left, plotW, top, plotH },
  );
  const band = plotW / Math.max(1, spec.bars.length);
  const barW = Math.min(band * 0.62, 90);
  const out = [open('vbar', spec, plotted, W, H), '<g class="axis">', ...grid];
  out.push(text(4, 12, spec.valueName, 'class="axis-name"'), '</g>');
  spec.bars.forEach((bar, i) => {
    const cx = left + band * i + band / 2;
    const y = sy(bar.value);
    const h = Math.max(1, top + plotH - y);
    const full = `${bar.label}: ${formatGrouped(bar.value)}${bar.detail ? ` (${bar.detail})` : ''}`;
    out.push(
      `<g class="bar">`,
      `<rect class="mark"${bar.row === undefined ? '' : ` data-row="${bar.row}"`} data-label="${escapeHtml(bar.label)}" ` +
        `data-value="${bar.value}" x="${n2(cx - barW / 2)}" y="${n2(top + plotH - h)}" width="${n2(barW)}" ` +
        `height="${n2(h)}" fill="${bar.color}"><title>${escapeHtml(full)}</title></rect>`,
      text(cx, top + plotH - h - 5, formatGrouped(bar.value), 'text-anchor="middle" class="value"'),
      text(cx, top + plotH + 16, truncate(bar.label, 16), 'text-anchor="middle" class="label"'),
      bar.detail
        ? text(cx, top + plotH + 32, truncate(bar.detail, 18), 'text-anchor="middle" class="detail"')
        : '',
      `</g>`,
    );
  });
  out.push(leg.svg, '</svg>');
  return out.join('');
}

/** One line per series over integer x values (years), a circle per row. */
export function lineChart(spec: LineChartSpec): string {
  const W = 720;
  const left = 64;
  const right = spec.showLegend ? 120 : 28;
  const top = 34;
  const plotH = 220;
  const bottom = 44;
  const plotW = W - left - right;
  const H = top + plotH + bottom;
  const points = spec.series.flatMap((s) => s.points);
  const xs = points.map((p) => p.x);
  let x0 = Math.min(...xs);
  let x1 = Math.max(...xs);
  if (x0 === x1) {
    x0 -= 1;
    x1 += 1;
  }
  const { sy, grid } = valueAxis(
    points.map((p) => p.y),
    { left, plotW, top, plotH },
  );
  const sx = (x: number) => left + 16 + ((x - x0) / (x1 - x0)) * (plotW - 32);
  const out = [open('line', spec, points.length, W, H), '<g class="axis">', ...grid];
  const years = [...new Set(xs)].sort((a, b) => a - b);
  out.push(
    ...years.map((x) => text(sx(x), top + plotH + 18, String(x), 'text-anchor="middle" class="label"')),
  );
  out.push(
    text(4, 12, spec.yName, 'class="axis-name"'),
    text(left + plotW, top + plotH + 34, spec.xName, 'text-anchor="end" class="axis-name"'),
    '</g>',
  );
  spec.series.forEach((s, si) => {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${n2(sx(p.x))},${n2(sy(p.y))}`).join(' ');
    out.push(`<g class="series" data-series="${escapeHtml(s.name)}">`);
    if (pts.length > 1)
      out.push(`<path class="line" d="${d}" fill="none" stroke="${s.color}" stroke-width="2.5"/>`);
    for (const p of pts) {
      const tip = `${s.name ? `${s.name}, ` : ''}${p.x}: ${formatGrouped(p.y)}${p.label ? ` (${p.label})` : ''}`;
      out.push(
        `<circle class="mark" data-row="${p.row}" data-series="${escapeHtml(s.name)}" data-x="${p.x}" data-value="${p.y}" ` +
          `cx="${n2(sx(p.x))}" cy="${n2(sy(p.y))}" r="4.5" fill="${p.color ?? s.color}" stroke="#fff" stroke-width="1.5">` +
          `<title>${escapeHtml(tip)}</title></circle>`,
      );
      if (p.label)
        out.push(text(sx(p.x), sy(p.y) - 10, truncate(p.label, 18), 'text-anchor="middle" class="detail"'));
    }
    if (spec.showLegend) {
      const ly = top + 10 + si * 20;
      out.push(
        `<line class="legend-line" x1="${left + plotW + 14}" x2="${left + plotW + 34}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="3"/>`,
        text(left + plotW + 40, ly, truncate(s.name, 12), 'class="legend-label"'),
      );
    }
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('');
}
