export { createAlerting, type Alerting, type AlertingOptions } from './service';
export { alertingConfigFromEnv, AlertingStartupError, type AlertingEnvConfig } from './service-config';
export { loadAlertingConfig, parseAlertingConfig, DEFAULT_CONFIG_PATH } from './config/load';
export { AlertingConfigError, type Issue } from './config/issues';
export { parseDuration, formatDuration } from './config/duration';
export {
  alertingConfigSchema,
  ruleSchema,
  channelSchema,
  routeSchema,
  type AlertingConfig,
  type AlertingConfigInput,
  type Rule,
  type RuleInput,
  type ThresholdRule,
  type AnomalyRule,
  type ChannelConfig,
  type RouteConfig,
} from './config/schema';
export { signBody, verifySignature, alertmanagerBody } from './notify/webhook';
export type { Alert } from './types/alert';
export type { Notification } from './types/notification';
