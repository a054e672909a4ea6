import type { ChannelConfig } from '../config/schema';
import { ConsoleIntegration, FileIntegration } from './console';
import { EmailIntegration } from './email';
import type { Integration } from './integration';
import { PagerDutyIntegration } from './pagerduty';
import { SlackIntegration } from './slack';
import { SmsIntegration } from './sms';
import { WebhookIntegration } from './webhook';

/** Builds the integration of one configured channel. */
export function createIntegration(c: ChannelConfig, now: () => number = Date.now): Integration {
  switch (c.type) {
    case 'email':
      return new EmailIntegration(c);
    case 'slack':
      return new SlackIntegration(c, now);
    case 'webhook':
      return new WebhookIntegration(c, now);
    case 'sms':
      return new SmsIntegration(c);
    case 'pagerduty':
      return new PagerDutyIntegration(c);
    case 'console':
      return new ConsoleIntegration(c.name, c.send_resolved);
    case 'file':
      return new FileIntegration(c.name, c.send_resolved, c.path);
  }
}
