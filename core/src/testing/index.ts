/**
 * `@aihub/core/testing`: scaffolding for tests and benchmarks (real databases per driver, the
 * built services as processes, a local OpenAI-compatible server, synthetic series, a
 * Prometheus text parser). Kept out of the public index so services never ship it.
 */
export * from './databases';
export * from './prometheus-text';
export * from './service-process';
export * from './recording-queryable';
export * from '../analysis/testing/openai-test-server';
export * from '../analysis/testing/synthetic';
export * from './remote-write';
export * from './free-port';
export { NOW as PUSH_CORPUS_NOW, storedBySchema } from './push-corpus';
