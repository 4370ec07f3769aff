import fs from 'node:fs';
import path from 'node:path';
import { sinkKey } from '../src/batch/index.ts';
import { mulberry32 } from '../src/emulator/index.ts';
import { CATEGORIES } from '../src/seed/index.ts';

/**
 * A simple deterministic generator of sink-layout data for the batch bench: `posts`
 * posts, each sent as a pin, a geo and a user record, plus `resendRate` of them sent again
 * (the emulator samples with replacement), spread round-robin over `partitions` partitions with a
 * new object every `flushSize` records, exactly as the S3 sink names them (docs/spec.md#s3-layout). Placeholders
 * at rates close to the seed's. Same arguments → byte-identical files.
 */
export interface BenchDataOptions {
  dir: string;
  posts: number;
  pipelineId?: string;
  partitions?: number;
  flushSize?: number;
  resendRate?: number;
  seed?: number;
}

const COUNTRIES = [
  'Afghanistan',
  'Albania',
  'Algeria',
  'Angola',
  'Argentina',
  'Armenia',
  'Australia',
  'Austria',
  'Bangladesh',
  'Belgium',
  'Brazil',
  'Bulgaria',
  'Canada',
  'Chad',
  'Chile',
  'China',
  'Colombia',
  'Croatia',
  'Cuba',
  'Denmark',
  'Egypt',
  'Estonia',
  'Ethiopia',
  'Finland',
  'France',
  'Germany',
  'Ghana',
  'Greece',
  'Hungary',
  'India',
  'Indonesia',
  'Iran',
  'Ireland',
  'Italy',
  'Japan',
  'Kenya',
  'Mexico',
  'Morocco',
  'Nepal',
  'Netherlands',
  'Nigeria',
  'Norway',
  'Peru',
  'Poland',
  'Portugal',
  'Romania',
  'Spain',
  'Sweden',
  'Turkey',
  'Vietnam',
];
const FIRST = [
  'Abigail',
  'Ben',
  'Chloe',
  'David',
  'Ella',
  'Frank',
  'Grace',
  'Henry',
  'Isla',
  'Jack',
  'Kate',
  'Liam',
];
const LAST = [
  'Ali',
  'Brown',
  'Clark',
  'Davis',
  'Evans',
  'Fox',
  'Green',
  'Hall',
  'Ito',
  'Jones',
  'Khan',
  'Lee',
];

const pad = (n: number) => String(n).padStart(2, '0');
function datetime(rand: () => number, fromYear: number, toYear: number): string {
  const from = Date.UTC(fromYear, 0, 1);
  const to = Date.UTC(toYear + 1, 0, 1);
  const d = new Date(from + Math.floor((rand() * (to - from)) / 1000) * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function followerCount(rand: () => number): string {
  const r = rand();
  if (r < 0.3) return String(Math.floor(rand() * 1000));
  if (r < 0.6) return `${Math.floor(rand() * 999) + 1}k`;
  if (r < 0.8) return `${(Math.floor(rand() * 99) + 1) / 10}k`;
  if (r < 0.93) return `${Math.floor(rand() * 9) + 1}M`;
  return `${(Math.floor(rand() * 90) + 10) / 10}M`;
}

function rows(ind: number, rand: () => number) {
  const category = CATEGORIES[Math.floor(rand() * CATEGORIES.length)]!;
  const failure = rand() < 0.03;
  const userInfo = failure || rand() < 0.02;
  const story = rand() < 0.07;
  const pin = {
    index: ind,
    unique_id: `${ind.toString(16).padStart(8, '0')}-3442-4773-b19e-d3ec6f54dddf`,
    title: failure || rand() < 0.02 ? 'No Title Data Available' : `Post ${ind} about ${category}`,
    description: failure
      ? 'No description available'
      : story && rand() < 0.5
        ? 'No description available Story format'
        : `Ideas for ${category} number ${ind % 997}`,
    poster_name: userInfo ? 'User Info Error' : `Poster ${Math.floor(rand() * 5000)}`,
    follower_count: userInfo ? 'User Info Error' : followerCount(rand),
    tag_list:
      failure || rand() < 0.03 ? 'N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e' : `${category} ideas,${category} tips`,
    is_image_or_video: story ? 'multi-video(story page format)' : rand() < 0.15 ? 'video' : 'image',
    image_src:
      failure || rand() < 0.01
        ? 'Image src error.'
        : `https://i.pinimg.com/originals/${ind % 256}/${ind}.jpg`,
    downloaded: failure ? 0 : 1,
    save_location: `Local save in /data/${category}`,
    category,
  };
  const geo = {
    ind,
    timestamp: datetime(rand, 2015, 2022),
    latitude: Math.round((rand() * 180 - 90) * 10000) / 10000,
    longitude: Math.round((rand() * 360 - 180) * 1000) / 1000,
    country: COUNTRIES[Math.floor(rand() * COUNTRIES.length)]!,
  };
  const user = {
    ind,
    first_name: FIRST[Math.floor(rand() * FIRST.length)]!,
    last_name: LAST[Math.floor(rand() * LAST.length)]!,
    age: 18 + Math.floor(rand() * 43),
    date_joined: datetime(rand, 2015, 2020),
  };
  return { pin, geo, user };
}

/** Writes the data set; returns the number of records per topic and of objects. */
export function generateBenchData(opts: BenchDataOptions): {
  records: number;
  objects: number;
  bytes: number;
} {
  const pipelineId = opts.pipelineId ?? '0e7ae8feb921';
  const partitions = opts.partitions ?? 3;
  const flushSize = opts.flushSize ?? 1000;
  const resendRate = opts.resendRate ?? 0.01;
  const rand = mulberry32(opts.seed ?? 42);
  fs.rmSync(opts.dir, { recursive: true, force: true });
  const kinds = ['pin', 'geo', 'user'] as const;
  // per topic and partition: the lines of the object being filled and its start offset
  const open = kinds.map(() =>
    Array.from({ length: partitions }, () => ({ start: 0, lines: [] as string[] })),
  );
  let objects = 0;
  let bytes = 0;
  const flush = (k: number, p: number) => {
    const o = open[k]![p]!;
    if (o.lines.length === 0) return;
    const topic = `${pipelineId}.${kinds[k]}`;
    const file = path.join(opts.dir, ...sinkKey('topics', topic, p, o.start).split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const body = `${o.lines.join('\n')}\n`;
    fs.writeFileSync(file, body);
    objects++;
    bytes += Buffer.byteLength(body);
    o.start += o.lines.length;
    o.lines = [];
  };
  const total = Math.round(opts.posts * (1 + resendRate));
  for (let r = 0; r < total; r++) {
    // the first `posts` records are posts 1..posts; the rest re-send earlier posts (same rows)
    const ind = r < opts.posts ? r + 1 : 1 + Math.floor(rand() * opts.posts);
    const records = rows(ind, mulberry32(ind * 7919 + (opts.seed ?? 42)));
    const p = r % partitions;
    kinds.forEach((kind, k) => {
      open[k]![p]!.lines.push(JSON.stringify(records[kind]));
      if (open[k]![p]!.lines.length >= flushSize) flush(k, p);
    });
  }
  kinds.forEach((_, k) => {
    for (let p = 0; p < partitions; p++) flush(k, p);
  });
  return { records: total, objects, bytes };
}
