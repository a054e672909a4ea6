// The compose stack's alerting configuration on a faster clock, for integration tests. Rules
// evaluate every second and every wait measured on the wall clock (`for:`, group_wait,
// group_interval) is divided by `timeScale`. Rule windows stay as shipped: they measure the
// demo's data, not the test's clock. Email goes to a loopback SMTP sink instead of Mailpit.
import { formatDuration, parseDuration } from '@aihub/alerting';
import YAML from 'yaml';

interface ConfigShape {
  evaluation_interval?: string;
  channels: { type: string; smtp_url?: string }[];
  routes: { group_wait?: string; group_interval?: string }[];
  rules: { for?: string }[];
}

function scaled(duration: string, timeScale: number): string {
  const ms = parseDuration(duration);
  if (ms === null) throw new Error(`not a duration: ${duration}`);
  return formatDuration(Math.round(ms / timeScale));
}

export function fastAlertingConfig(
  composeYaml: string,
  opts: { timeScale: number; smtpUrl: string; evaluationInterval?: string },
): string {
  const config = YAML.parse(composeYaml) as ConfigShape;
  config.evaluation_interval = opts.evaluationInterval ?? '1s';
  const mail = config.channels.filter((c) => c.type === 'email');
  if (mail.length === 0) throw new Error('the compose alerting config has no email channel');
  for (const c of mail) c.smtp_url = opts.smtpUrl;
  for (const r of config.routes) {
    if (r.group_wait) r.group_wait = scaled(r.group_wait, opts.timeScale);
    if (r.group_interval) r.group_interval = scaled(r.group_interval, opts.timeScale);
  }
  for (const r of config.rules) if (r.for) r.for = scaled(r.for, opts.timeScale);
  return YAML.stringify(config);
}
