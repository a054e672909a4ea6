import React from 'react';
import { Badge, Stack } from '@grafana/ui';
import { getHealth } from '../../api/collector';
import { describeError, type ServiceName } from '../../api/serviceError';
import { useAsyncData } from '../../hooks/useAsyncData';

/** A live up/down badge for one service, read from its /health through the plugin proxy. */
export function ServiceHealth({ service }: { service: ServiceName }) {
  const health = useAsyncData(() => getHealth(service), [service]);
  let badge: React.ReactNode;
  if (health.loading) {
    badge = <Badge text="checking…" color="blue" />;
  } else if (health.error) {
    badge = <Badge text="down" color="red" icon="exclamation-triangle" tooltip={describeError(health.error)} />;
  } else {
    const status = health.value?.status ?? 'ok';
    badge = <Badge text={status} color={status === 'ok' || status === 'up' ? 'green' : 'orange'} icon="heart" />;
  }
  return (
    <Stack direction="row" alignItems="center" gap={1}>
      <span>{service}</span>
      {badge}
    </Stack>
  );
}
