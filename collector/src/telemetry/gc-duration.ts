import { constants, PerformanceObserver } from 'perf_hooks';
import type { Meter } from '@opentelemetry/api';

// v8js.gc.type values of the OpenTelemetry semantic conventions, by node's GC kind.
const GC_TYPES = new Map<number, string>([
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

/**
 * v8js.gc.duration (OpenTelemetry runtime semantic conventions) from node's GC performance
 * entries: how often and how long the collector's own heap stops it, so a collector stuck in
 * back-to-back mark-compacts shows on a dashboard. Returns the function that stops observing.
 */
export function observeGcDuration(meter: Meter): () => void {
  const duration = meter.createHistogram('v8js.gc.duration', {
    unit: 's',
    description: 'Garbage collection duration',
    advice: { explicitBucketBoundaries: [0.01, 0.1, 1, 10] },
  });
  const attributes = new Map([...GC_TYPES].map(([kind, type]) => [kind, { 'v8js.gc.type': type }]));
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // node's GC entries carry their kind in `detail` (the type says unknown).
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind ?? -1;
      const attrs = attributes.get(kind);
      if (attrs) duration.record(entry.duration / 1000, attrs);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
