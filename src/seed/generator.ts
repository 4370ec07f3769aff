import { Faker, base, en } from '@faker-js/faker';
import type { TableName } from './schema.ts';
import { PLACEHOLDERS, RATES, drawProbabilities, type Rates } from './rates.ts';
import { formatFollowers, formatDatetime, pickWeighted, utcSeconds } from './format.ts';
import {
  ADJECTIVES,
  AUDIENCES,
  BLOG_SUFFIXES,
  CATEGORIES,
  CATEGORY_WEIGHTS,
  KEYWORDS,
  type Category,
} from './vocab.ts';

/**
 * The deterministic generator: pure, no I/O. Each table has its own seeded Faker stream,
 * so rows of one table never depend on another table's draws, and the same seed and row count give
 * the same rows on any machine (integer arithmetic and UTC only; no locale, no time zone, no Math.exp).
 * Rows are yielded in key order 1..N as arrays in schema.sql's column order.
 */
export type Cell = string | number;
export type Row = Cell[];

export interface GeneratorOptions {
  seed: number;
  rows: number;
  rates?: Rates;
}

/** Separate Faker streams per table, derived from the user's seed. */
const STREAM: Record<TableName | 'posters', number> = {
  pinterest_data: 1,
  geolocation_data: 2,
  user_data: 3,
  posters: 4,
};

export const TIMESTAMP_RANGE = { from: utcSeconds(2015, 1, 1), to: utcSeconds(2023, 1, 1) - 1 } as const;
/** date_joined: 2015–2017 as in the original, with a tail to 2020 so tasks 9–11 have content. */
export const JOINED_RANGE = { from: utcSeconds(2015, 1, 1), to: utcSeconds(2018, 1, 1) - 1 } as const;
export const JOINED_TAIL = {
  from: utcSeconds(2018, 1, 1),
  to: utcSeconds(2021, 1, 1) - 1,
  share: 0.08,
} as const;
export const AGE_RANGE = { min: 18, max: 60 } as const;

function fakerFor(seed: number, stream: number): Faker {
  const f = new Faker({ locale: [en, base] });
  f.seed([seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0, stream]);
  return f;
}

export function rowsOf(table: TableName, opts: GeneratorOptions): Generator<Row> {
  switch (table) {
    case 'pinterest_data':
      return pinRows(opts);
    case 'geolocation_data':
      return geoRows(opts);
    case 'user_data':
      return userRows(opts);
  }
}

interface Poster {
  name: string;
  followers: string;
}

function posterPool(seed: number, rows: number): Poster[] {
  const f = fakerFor(seed, STREAM.posters);
  const size = Math.min(100_000, Math.max(50, Math.ceil(rows / 2)));
  const pool: Poster[] = [];
  for (let i = 0; i < size; i++) {
    const style = f.number.int(99);
    const first = f.person.firstName();
    let name: string;
    if (style < 35) name = f.company.name();
    else if (style < 65) name = `${first} ${f.person.lastName()}`;
    else if (style < 85) name = `${first} | ${f.helpers.arrayElement(BLOG_SUFFIXES)}`;
    else name = `Of ${capitalise(f.word.noun())} & ${first} | ${f.helpers.arrayElement(BLOG_SUFFIXES)}`;
    pool.push({ name, followers: formatFollowers(followerCount(f), f.number.int(1) === 1) });
  }
  return pool;
}

/** Followers per poster: many small accounts, a long tail of large ones. */
function followerCount(f: Faker): number {
  const bucket = pickWeighted([22, 28, 25, 15, 10], f.number.int(99));
  const ranges: Array<[number, number]> = [
    [0, 999],
    [1000, 9999],
    [10_000, 99_999],
    [100_000, 999_999],
    [1_000_000, 20_000_000],
  ];
  const [min, max] = ranges[bucket]!;
  return f.number.int({ min, max });
}

function* pinRows(opts: GeneratorOptions): Generator<Row> {
  const f = fakerFor(opts.seed, STREAM.pinterest_data);
  const p = drawProbabilities(opts.rates ?? RATES);
  const posters = posterPool(opts.seed, opts.rows);
  const weights = CATEGORIES.map((c) => CATEGORY_WEIGHTS[c]);
  const weightTotal = weights.reduce((a, b) => a + b, 0);
  const u = () => f.number.float();
  for (let ind = 1; ind <= opts.rows; ind++) {
    const category = CATEGORIES[pickWeighted(weights, f.number.int(weightTotal - 1))]!;
    const failed = u() < p.failure;
    const kindDraw = u();
    const kind =
      kindDraw < p.storyFormat
        ? PLACEHOLDERS.storyFormat
        : kindDraw < p.storyFormat + p.video
          ? 'video'
          : 'image';
    const uniqueId = uuidV4(f);

    let title: string;
    const tu = u();
    if (failed || tu < p.title) title = PLACEHOLDERS.title;
    else if (tu < p.title + p.titleEmpty) title = '';
    else title = makeTitle(f, category);

    let description: string;
    if (failed) description = PLACEHOLDERS.description;
    else if (kind === PLACEHOLDERS.storyFormat && u() < p.descriptionStory)
      description = PLACEHOLDERS.descriptionStory;
    else {
      const du = u();
      if (du < p.description) description = PLACEHOLDERS.description;
      else if (du < p.description + p.descriptionEmpty) description = '';
      else description = makeDescription(f, category);
    }

    let posterName: string = PLACEHOLDERS.userInfo;
    let followers: string = PLACEHOLDERS.userInfo;
    if (!failed && u() >= p.userInfo) {
      // Popular posters post more: the square skews picks towards the front of the pool.
      const r = u();
      const poster = posters[Math.floor(r * r * posters.length)]!;
      posterName = poster.name;
      followers = poster.followers;
    }

    let tags: string;
    const gu = u();
    if (failed || gu < p.tagList) tags = PLACEHOLDERS.tagList;
    else if (gu < p.tagList + p.tagListEmpty) tags = '';
    else tags = makeTags(f, category);

    const imageError = failed || u() < p.imageSrc;
    const imageSrc = imageError ? PLACEHOLDERS.imageSrc : imageUrl(f);
    yield [
      ind,
      uniqueId,
      title,
      description,
      posterName,
      followers,
      tags,
      kind,
      imageSrc,
      imageError ? 0 : 1,
      `${PLACEHOLDERS.saveLocationPrefix}/data/${category}`,
      category,
    ];
  }
}

function* geoRows(opts: GeneratorOptions): Generator<Row> {
  const f = fakerFor(opts.seed, STREAM.geolocation_data);
  for (let ind = 1; ind <= opts.rows; ind++) {
    const ts = f.number.int({ min: TIMESTAMP_RANGE.from, max: TIMESTAMP_RANGE.to });
    const latitude = coordinate(f.number.int({ min: -900_000, max: 900_000 }));
    const longitude = coordinate(f.number.int({ min: -1_800_000, max: 1_800_000 }));
    yield [ind, formatDatetime(ts), latitude, longitude, f.location.country()];
  }
}

function* userRows(opts: GeneratorOptions): Generator<Row> {
  const f = fakerFor(opts.seed, STREAM.user_data);
  const span = AGE_RANGE.max - AGE_RANGE.min + 1;
  for (let ind = 1; ind <= opts.rows; ind++) {
    const first = f.person.firstName();
    const last = f.person.lastName();
    const a = f.number.float();
    // u² skews ages young: median about 29, mean about 32.
    const age = AGE_RANGE.min + Math.floor(span * a * a);
    const range = f.number.float() < JOINED_TAIL.share ? JOINED_TAIL : JOINED_RANGE;
    const joined = f.number.int({ min: range.from, max: range.to });
    yield [ind, first, last, age, formatDatetime(joined)];
  }
}

/**
 * At most 4 decimals and 6 significant digits (-89.9787, -173.293, as in the original): MySQL prints
 * FLOAT with 6 significant digits, so readers get back exactly the generated value, and float32
 * holds it without loss (the checksum renders it as DECIMAL(12,4)). toPrecision is exact per ECMA-262.
 */
function coordinate(tenThousandths: number): number {
  return Number((tenThousandths / 10_000).toPrecision(6));
}

function makeTitle(f: Faker, category: Category): string {
  const kw = f.helpers.arrayElement(KEYWORDS[category]);
  const adj = f.helpers.arrayElement(ADJECTIVES);
  switch (f.number.int(5)) {
    case 0:
      return `${f.number.int({ min: 5, max: 50 })} ${adj} ${kw.endsWith('Ideas') ? kw : `${kw} Ideas`}`;
    case 1:
      return `${adj} ${kw} for ${f.helpers.arrayElement(AUDIENCES)}`;
    case 2:
      return `How to Get Started with ${kw}`;
    case 3:
      return `The ${adj} ${kw} of ${f.number.int({ min: 2015, max: 2022 })}`;
    case 4:
      return `${kw}: ${f.number.int({ min: 3, max: 30 })} ${adj} Tips`;
    default:
      return `${capitalise(f.word.adjective())} ${kw}`;
  }
}

const DESCRIPTION_SENTENCES: ReadonlyArray<(f: Faker, kw: string) => string> = [
  (f, kw) =>
    `Keep ${f.helpers.arrayElement(AUDIENCES).toLowerCase()} busy with these ${f.helpers.arrayElement(ADJECTIVES).toLowerCase()} ${kw.endsWith('ideas') ? kw : `${kw} ideas`}.`,
  (_f, kw) => `Find and save ideas about ${kw} on Pinterest.`,
  (f) => `Perfect for every ${f.word.noun()} lover.`,
  (f, kw) => `Learn how to ${f.word.verb()} your own ${kw} with this step-by-step guide.`,
  (_f, kw) => `Check out our ${kw} selection for the very best in unique or custom pieces.`,
  () => `Click through for the full tutorial!`,
];

function makeDescription(f: Faker, category: Category): string {
  const kw = f.helpers.arrayElement(KEYWORDS[category]).toLowerCase();
  const picked = f.helpers.arrayElements(DESCRIPTION_SENTENCES, 1 + f.number.int(2));
  return picked.map((sentence) => sentence(f, kw)).join(' ');
}

function makeTags(f: Faker, category: Category): string {
  const n = f.number.int({ min: 3, max: 7 });
  const own = f.helpers.arrayElements(KEYWORDS[category], Math.min(n, KEYWORDS[category].length));
  return own.map((k, i) => (i % 3 === 2 ? `${f.helpers.arrayElement(ADJECTIVES)} ${k}` : k)).join(',');
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** 32 lower-case hex digits from the seeded stream (faker.string.hexadecimal is 10× slower). */
function hex128(f: Faker): string {
  let s = '';
  for (let i = 0; i < 4; i++) {
    const w = Math.floor(f.number.float() * 4294967296);
    s += HEX_BYTE[w >>> 24]! + HEX_BYTE[(w >>> 16) & 255]! + HEX_BYTE[(w >>> 8) & 255]! + HEX_BYTE[w & 255]!;
  }
  return s;
}

/** A version-4 UUID (RFC 9562 §5.4) from the seeded stream. */
function uuidV4(f: Faker): string {
  const h = hex128(f);
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function imageUrl(f: Faker): string {
  const hash = hex128(f);
  return `https://i.pinimg.com/originals/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash.slice(4, 6)}/${hash}.jpg`;
}

function capitalise(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}
