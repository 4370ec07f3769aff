/** Axis arithmetic for the SVG charts: "nice" tick steps and compact tick labels. */

export interface Ticks {
  readonly max: number;
  readonly ticks: number[];
}

/** Ticks from 0 to a rounded maximum ≥ max, about `target` of them, with steps of 1, 2, 2.5 or 5 × 10ⁿ. */
export function niceTicks(max: number, target = 5): Ticks {
  if (!(max > 0) || !Number.isFinite(max)) return { max: 1, ticks: [0, 1] };
  const raw = max / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  const n = Math.ceil(max / step - 1e-9);
  const ticks = Array.from({ length: n + 1 }, (_, i) => Number((i * step).toPrecision(12)));
  return { max: ticks[ticks.length - 1]!, ticks };
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const grouped = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });

/** 5M, 124K, 950: for axis ticks. */
export function formatCompact(n: number): string {
  return compact.format(n);
}

/** 5,000,000 or 6,012.5: for value labels and table cells. */
export function formatGrouped(n: number): string {
  return grouped.format(n);
}
