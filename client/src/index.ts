export { PushClient, PushError, type PushClientOptions, type PushClientStats } from './push-client';
export {
  instrumentOpenAI,
  classifyOpenAIError,
  providerFromBaseURL,
  type InstrumentOptions,
  type LlmRecorder,
  type OpenAILike,
} from './instrument-openai';
export { parseRetryAfter, retryDelay, type RetryPolicy } from './retry-policy';
export type { PushPayload, SystemItem, BusinessItem, LlmItem, TrainingItem, SampleItem } from './payload';
