/**
 * Fixed colours so a category or an age group has the same colour in every chart of a report
 * (and across reports). Categories and age groups are those of docs/spec.md#categories and #age-groups.
 */
const CATEGORY_COLORS: Record<string, string> = {
  art: '#4e79a7',
  beauty: '#f28e2b',
  christmas: '#e15759',
  'diy-and-crafts': '#76b7b2',
  education: '#59a14f',
  'event-planning': '#edc948',
  finance: '#b07aa1',
  'home-decor': '#ff9da7',
  'mens-fashion': '#9c755f',
  quotes: '#bab0ac',
  tattoos: '#1f3a5f',
  travel: '#2ca02c',
  vehicles: '#8c564b',
};

const FALLBACK = ['#17becf', '#bcbd22', '#7f7f7f', '#d62728', '#9467bd', '#e377c2'];

export const AGE_GROUPS = ['18-24', '25-35', '36-50', '+50'] as const;

const AGE_GROUP_COLORS: Record<string, string> = {
  '18-24': '#4e79a7',
  '25-35': '#f28e2b',
  '36-50': '#59a14f',
  '+50': '#e15759',
};

function hash(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h;
}

export function categoryColor(category: unknown): string {
  const key = String(category ?? '');
  return CATEGORY_COLORS[key] ?? FALLBACK[hash(key) % FALLBACK.length]!;
}

export function ageGroupColor(group: unknown): string {
  const key = String(group ?? '');
  return AGE_GROUP_COLORS[key] ?? FALLBACK[hash(key) % FALLBACK.length]!;
}

/** The spec's age-group order (18-24, 25-35, 36-50, +50); unknown groups after, alphabetically. */
export function compareAgeGroups(a: unknown, b: unknown): number {
  const order = (g: unknown) => {
    const i = (AGE_GROUPS as readonly string[]).indexOf(String(g));
    return i === -1 ? AGE_GROUPS.length : i;
  };
  return order(a) - order(b) || String(a).localeCompare(String(b));
}

export const NEUTRAL = '#4e79a7';
export const CONTEXT = '#c9ced6';
