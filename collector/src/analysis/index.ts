export { createAnalysisRouter, type AnalysisRouterDeps } from './router';
export { analysisFeature, type AnalysisFeatureOptions } from './feature';
export { loadAnalysisContext, type LoadedContext } from './context';
