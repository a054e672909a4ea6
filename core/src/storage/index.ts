export * from './database';
export * from './open';
export * from './migrate';
export * from './retention';
export * from './writer';
export * from './queries';
export { SeriesCache, canonicalLabels } from './series-cache';
export { migrations, type Migration } from './migrations';
export * from './rule-reads';
