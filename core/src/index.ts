export * from './storage';
export * from './model/limits';
export * from './model/push-schema';
export * from './model/rows';
export * from './pricing/price-table';
export * from './logging/logger';
export * from './config/env';
export * from './security/tokens';
