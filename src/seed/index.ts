export { seedDatabase, planSeed, type SeedOptions, type SeedResult } from './seed.ts';
export { checksumTables, type Checksum, type TableChecksum } from './checksum.ts';
export { PLACEHOLDERS, RATES, PIN_DIRTY_VALUES } from './rates.ts';
export { rowsOf, type Row } from './generator.ts';
export { CATEGORIES } from './vocab.ts';
export { TABLE_NAMES, schema, type TableName } from './schema.ts';
export { connectForSeed } from './connection.ts';
export { seedIfEmpty } from './seed-if-empty.ts';
