import type { Database, Logger } from '@aihub/core';
import type { AlertingConfig } from '../config/schema';
import type { BudgetsApi } from './budgets';
import type { AlertingMetrics } from '../metrics';
import type { Integration } from '../notify/integration';
import type { OutboxSender } from '../notify/outbox';
import type { RuleEngine } from '../rules/engine';
import type { RuleStore } from '../rules/store';
import type { SilenceStore } from '../silence/store';

/** What the HTTP handlers need from the service (built by createAlerting). */
export interface ApiContext {
  db: Database;
  logger: Logger;
  now: () => number;
  rules: RuleStore;
  silences: SilenceStore;
  budgets: BudgetsApi;
  outbox: OutboxSender;
  engine: RuleEngine;
  metrics: AlertingMetrics;
  config: () => AlertingConfig;
  integrations: () => Map<string, Integration>;
  ready: () => Promise<boolean>;
  leadership: () => Promise<{ leader: boolean; instance: string; holder: string | null }>;
  /** Asks the loop to run a cycle soon (after a rule or silence changed). */
  poke: () => void;
}
