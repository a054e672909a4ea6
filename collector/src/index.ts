export {
  createCollector,
  type Collector,
  type CollectorContext,
  type CollectorDeps,
  type CollectorFeature,
} from './collector';
export { loadCollectorConfig, type CollectorConfig } from './config';
export { IngestService, type IngestResult } from './ingest/ingest-service';
export { ApiError, sendError } from './http/errors';
export { defaultFeatures } from './features';
