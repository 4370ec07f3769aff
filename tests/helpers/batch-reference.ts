/**
 * The nine results of docs/spec.md (sections 4 and 5) computed a second way: plain TypeScript over
 * the raw records, written from the spec and not from src/batch (no SQL, no DuckDB). Tests compare
 * the batch's result files with it. Handles the clean records a run produces; a line the batch
 * would quarantine (not JSON, a wrong follower count) throws here, naming it.
 */

export interface RawRecord {
  partition: number;
  offset: number;
  /** The record's value as sent: one JSON object. */
  value: string;
}
export type Row = Record<string, unknown>;

// docs/spec.md "dirty values": the scraper's placeholders, by column; '' is NULL in every text column.
const PLACEHOLDERS: Record<string, string[]> = {
  poster_name: ['User Info Error'],
  follower_count: ['User Info Error'],
};
const AGE_GROUPS = ['18-24', '25-35', '36-50', '+50'] as const;

function text(column: string, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = String(v);
  return s === '' || (PLACEHOLDERS[column] ?? []).includes(s) ? null : s;
}

/** docs/spec.md#choice-follower-count: digits; k and M with decimals, rounded half away from zero. */
export function followerCount(v: unknown): number | null {
  if (typeof v === 'number') return Math.round(v);
  const s = text('follower_count', v)?.trim();
  if (s === undefined || s === null) return null;
  const m = /^([0-9]+(?:\.[0-9]+)?)([kKmM]?)$/.exec(s);
  if (!m) throw new Error(`reference: follower_count ${JSON.stringify(v)} would be quarantined`);
  const scale = m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1000 : 1_000_000;
  // exactly, in integers: value × scale rounded half up (the value is never negative)
  const [whole, frac = ''] = m[1]!.split('.');
  const num = BigInt(whole! + frac) * BigInt(scale);
  const den = 10n ** BigInt(frac.length);
  return Number((num * 2n + den) / (2n * den));
}

/** UTC year of "2020-08-28 03:52:47" or an ISO-8601 datetime; null when absent. */
function yearOf(v: unknown): number | null {
  const s = text('datetime', v);
  if (s === null) return null;
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(s) ? `${s.replace(' ', 'T')}Z` : s.trim();
  const d = new Date(/[zZ]|[+-]\d{2}:?\d{2}$/.test(iso) ? iso : `${iso}Z`);
  if (Number.isNaN(d.getTime())) throw new Error(`reference: datetime ${JSON.stringify(v)} is not one`);
  return d.getUTCFullYear();
}

function ageGroup(age: unknown): string | null {
  if (typeof age !== 'number') return null;
  if (age < 18) return null;
  return age <= 24 ? '18-24' : age <= 35 ? '25-35' : age <= 50 ? '36-50' : '+50';
}

/** One row per post: the copy at the lowest offset, then the lowest partition (docs/spec.md#choice-which-copy). */
function onePerPost(records: RawRecord[], key: 'index' | 'ind'): Map<number, Row> {
  const sorted = [...records].sort((a, b) => a.offset - b.offset || a.partition - b.partition);
  const out = new Map<number, Row>();
  const seen = new Set<string>();
  for (const r of sorted) {
    if (seen.has(`${r.partition}:${r.offset}`)) continue; // the same Kafka record twice (a replay)
    seen.add(`${r.partition}:${r.offset}`);
    let row: Row;
    try {
      row = JSON.parse(r.value) as Row;
    } catch {
      throw new Error(`reference: ${r.value.slice(0, 80)} is not JSON (it would be quarantined)`);
    }
    const ind = Number(row[key]);
    if (!out.has(ind)) out.set(ind, row);
  }
  return out;
}

const cmp = (a: unknown, b: unknown): number => {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Exact median (mean of the two middle values); null when every value is null. */
function median(values: Array<number | null>): number | null {
  const v = values.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Counts per (group, category) → the top category of each group: highest count, then name. */
function topCategory(
  pairs: Array<[string | number, string]>,
  groupCol: string,
  order: (a: string | number, b: string | number) => number,
): Row[] {
  const counts = new Map<string | number, Map<string, number>>();
  for (const [g, c] of pairs) {
    const m = counts.get(g) ?? new Map<string, number>();
    m.set(c, (m.get(c) ?? 0) + 1);
    counts.set(g, m);
  }
  return [...counts]
    .sort(([a], [b]) => order(a, b))
    .map(([g, m]) => {
      const [category, n] = [...m].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]))[0]!;
      return { [groupCol]: g, category, category_count: n };
    });
}

const byAgeGroup = (a: string | number, b: string | number) =>
  AGE_GROUPS.indexOf(a as (typeof AGE_GROUPS)[number]) - AGE_GROUPS.indexOf(b as (typeof AGE_GROUPS)[number]);

/** The nine results, by name, from the raw records of the three topics. */
export function referenceResults(raw: {
  pin: RawRecord[];
  geo: RawRecord[];
  user: RawRecord[];
}): Record<string, Row[]> {
  const pins = onePerPost(raw.pin, 'index');
  const geos = onePerPost(raw.geo, 'ind');
  const users = onePerPost(raw.user, 'ind');
  const pin = [...pins].map(([ind, r]) => ({
    ind,
    category: text('category', r.category),
    poster: text('poster_name', r.poster_name),
    followers: followerCount(r.follower_count),
  }));
  const geo = new Map(
    [...geos].map(([ind, r]) => [ind, { country: text('country', r.country), year: yearOf(r.timestamp) }]),
  );
  const user = new Map(
    [...users].map(([ind, r]) => [ind, { group: ageGroup(r.age), joined: yearOf(r.date_joined) }]),
  );
  const pinGeo = pin.flatMap((p) => (geo.has(p.ind) ? [{ ...p, ...geo.get(p.ind)! }] : []));
  const pinUser = pin.flatMap((p) => (user.has(p.ind) ? [{ ...p, ...user.get(p.ind)! }] : []));
  const inJoinYears = (y: number | null): y is number => y !== null && y >= 2015 && y <= 2020;

  const topUsers = new Map<string, { poster: string; followers: number }>();
  for (const p of pinGeo) {
    if (p.country === null || p.poster === null || p.followers === null) continue;
    const best = topUsers.get(p.country);
    if (
      !best ||
      p.followers > best.followers ||
      (p.followers === best.followers && cmp(p.poster, best.poster) < 0)
    )
      topUsers.set(p.country, { poster: p.poster, followers: p.followers });
  }
  const topUserRows = [...topUsers]
    .sort(([a], [b]) => cmp(a, b))
    .map(([country, u]) => ({ country, poster_name: u.poster, follower_count: u.followers }));
  const topCountry = [...topUserRows].sort(
    (a, b) => b.follower_count - a.follower_count || cmp(a.country, b.country),
  )[0];

  const medians = <K extends string | number>(
    rows: Array<[K, number | null]>,
    order: (a: K, b: K) => number,
  ) => {
    const groups = new Map<K, Array<number | null>>();
    for (const [k, v] of rows) groups.set(k, [...(groups.get(k) ?? []), v]);
    return [...groups].sort(([a], [b]) => order(a, b)).map(([k, v]) => [k, median(v)] as const);
  };
  const joinedUsers = [...user.values()].filter((u) => inJoinYears(u.joined));
  const joinedCounts = new Map<number, number>();
  for (const u of joinedUsers) joinedCounts.set(u.joined!, (joinedCounts.get(u.joined!) ?? 0) + 1);

  return {
    popular_category_by_country: topCategory(
      pinGeo.flatMap((p) =>
        p.country !== null && p.category !== null ? [[p.country, p.category] as [string, string]] : [],
      ),
      'country',
      cmp,
    ),
    popular_category_by_year: topCategory(
      pinGeo.flatMap((p) =>
        p.year !== null && p.year >= 2018 && p.year <= 2022 && p.category !== null
          ? [[p.year, p.category] as [number, string]]
          : [],
      ),
      'post_year',
      cmp,
    ),
    top_user_by_country: topUserRows,
    top_country_by_followers: topCountry
      ? [{ country: topCountry.country, follower_count: topCountry.follower_count }]
      : [],
    popular_category_by_age_group: topCategory(
      pinUser.flatMap((p) =>
        p.group !== null && p.category !== null ? [[p.group, p.category] as [string, string]] : [],
      ),
      'age_group',
      byAgeGroup,
    ),
    median_followers_by_age_group: medians(
      pinUser.flatMap((p) => (p.group !== null ? [[p.group, p.followers] as [string, number | null]] : [])),
      byAgeGroup,
    ).map(([age_group, m]) => ({ age_group, median_follower_count: m })),
    users_joined_by_year: [...joinedCounts]
      .sort(([a], [b]) => a - b)
      .map(([post_year, n]) => ({ post_year, number_users_joined: n })),
    median_followers_by_join_year: medians(
      pinUser.flatMap((p) =>
        inJoinYears(p.joined) ? [[p.joined, p.followers] as [number, number | null]] : [],
      ),
      (a, b) => a - b,
    ).map(([post_year, m]) => ({ post_year, median_follower_count: m })),
    median_followers_by_join_year_and_age_group: medians(
      pinUser.flatMap((p) =>
        p.group !== null && inJoinYears(p.joined)
          ? [[`${p.group}|${p.joined}`, p.followers] as [string, number | null]]
          : [],
      ),
      (a, b) => {
        const [ga, ya] = a.split('|');
        const [gb, yb] = b.split('|');
        return byAgeGroup(ga!, gb!) || Number(ya) - Number(yb);
      },
    ).map(([k, m]) => {
      const [age_group, year] = k.split('|');
      return { age_group: age_group!, post_year: Number(year), median_follower_count: m };
    }),
  };
}
