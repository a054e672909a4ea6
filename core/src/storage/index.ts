export * from './database';
export * from './open';
export * from './migrate';
export * from './retention';
export * from './writer';
export * from './queries';
export { SeriesCache, canonicalLabels, type ResolvedSeries } from './series-cache';
export * from './series-guard';
export { migrations, type Migration } from './migrations';
