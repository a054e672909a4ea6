export * from './storage/database';
