import mysql from 'mysql2/promise';
import { mysqlOptions, quoteId } from '../../src/clients/mysql.ts';
import type { Profile } from '../../src/config/index.ts';
import { uniqueSchema } from '../../testkit/names.ts';

/**
 * The source the emulator tests read: the shared, seeded `pinterest_data` when it holds rows,
 * otherwise a small fixture in a database of its own, with the schema of docs/spec.md#source-tables and ind = 1..rows.
 * Returns the profile to use and a cleanup that drops the fixture (never the shared database).
 */
export async function emulatorSource(
  profile: Profile,
  rows = 1000,
): Promise<{ profile: Profile; rows: number; fixture: boolean; [Symbol.asyncDispose](): Promise<void> }> {
  const shared = await sharedRows(profile);
  if (shared > 0) return { profile, rows: shared, fixture: false, [Symbol.asyncDispose]: async () => {} };
  const database = uniqueSchema('emu_src');
  const conn = await mysql.createConnection({
    ...mysqlOptions(profile),
    database: undefined,
    multipleStatements: true,
  } as mysql.ConnectionOptions);
  try {
    await conn.query(`CREATE DATABASE ${quoteId(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    try {
      await conn.query(`USE ${quoteId(database)}; ${SCHEMA}`);
      const inds = Array.from({ length: rows }, (_, i) => i + 1);
      await conn.query('INSERT INTO pinterest_data VALUES ?', [inds.map(pinRow)]);
      await conn.query('INSERT INTO geolocation_data VALUES ?', [inds.map(geoRow)]);
      await conn.query('INSERT INTO user_data VALUES ?', [inds.map(userRow)]);
    } catch (err) {
      await conn.query(`DROP DATABASE IF EXISTS ${quoteId(database)}`);
      throw err;
    }
  } finally {
    await conn.end();
  }
  const copy: Profile = { ...profile, mysql: { ...profile.mysql, database } };
  return {
    profile: copy,
    rows,
    fixture: true,
    [Symbol.asyncDispose]: async () => {
      const c = await mysql.createConnection({
        ...mysqlOptions(profile),
        database: undefined,
      } as mysql.ConnectionOptions);
      await c.query(`DROP DATABASE IF EXISTS ${quoteId(database)}`);
      await c.end();
    },
  };
}

async function sharedRows(profile: Profile): Promise<number> {
  const conn = await mysql
    .createConnection(mysqlOptions(profile) as mysql.ConnectionOptions)
    .catch(() => undefined);
  if (!conn) return 0;
  try {
    const [r] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT (SELECT COUNT(*) FROM pinterest_data) AS p, (SELECT COUNT(*) FROM geolocation_data) AS g, (SELECT COUNT(*) FROM user_data) AS u',
    );
    const { p, g, u } = r[0] as { p: number; g: number; u: number };
    return p > 0 && p === g && g === u ? Number(p) : 0;
  } catch {
    return 0;
  } finally {
    await conn.end();
  }
}

const SCHEMA = `
CREATE TABLE pinterest_data (
  \`index\` INT PRIMARY KEY, unique_id VARCHAR(36), title TEXT, description TEXT, poster_name TEXT,
  follower_count VARCHAR(32), tag_list TEXT, is_image_or_video VARCHAR(64), image_src TEXT,
  downloaded INT, save_location VARCHAR(255), category VARCHAR(64));
CREATE TABLE geolocation_data (ind INT PRIMARY KEY, \`timestamp\` DATETIME, latitude FLOAT, longitude FLOAT, country VARCHAR(255));
CREATE TABLE user_data (ind INT PRIMARY KEY, first_name VARCHAR(255), last_name VARCHAR(255), age INT, date_joined DATETIME);
`;

const CATEGORIES = ['art', 'beauty', 'christmas', 'diy-and-crafts', 'education', 'event-planning', 'finance'];

function pinRow(i: number): unknown[] {
  const category = CATEGORIES[i % CATEGORIES.length]!;
  const broken = i % 29 === 0;
  return [
    i,
    `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    broken ? 'No Title Data Available' : `Post ${i}: 25 Super Fun Summer Crafts for Kids`,
    broken ? 'No description available Story format' : `Keep the kids busy — “${i}” ✂️`,
    broken ? 'User Info Error' : `Poster ${i % 97}`,
    broken ? 'User Info Error' : i % 3 === 0 ? `${i % 900}k` : String(i * 7),
    broken ? 'N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e' : 'Summer Crafts For Kids,Fun Crafts For Kids',
    i % 11 === 0 ? 'video' : 'image',
    broken ? 'Image src error.' : `https://i.pinimg.com/originals/${i}.jpg`,
    broken ? 0 : 1,
    `Local save in /data/${category}`,
    category,
  ];
}

const stamp = (i: number, year: number) =>
  `${year}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')} ${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}`;

function geoRow(i: number): unknown[] {
  return [
    i,
    stamp(i, 2015 + (i % 8)),
    ((i * 37) % 180) - 89.9787,
    ((i * 53) % 360) - 179.5,
    `Country ${i % 50}`,
  ];
}

function userRow(i: number): unknown[] {
  return [i, `First${i}`, `Last${i % 311}`, 18 + (i % 43), stamp(i * 3, 2015 + (i % 3))];
}
