import { constants, PerformanceObserver } from 'perf_hooks';
import type { Meter } from '@opentelemetry/api';

// The v8js.gc.type attribute of the OpenTelemetry semantic conventions, by node's GC kind.
const GC_TYPE_ATTRIBUTES = new Map<number, { 'v8js.gc.type': string }>([
  [constants.NODE_PERFORMANCE_GC_MAJOR, { 'v8js.gc.type': 'major' }],
  [constants.NODE_PERFORMANCE_GC_MINOR, { 'v8js.gc.type': 'minor' }],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, { 'v8js.gc.type': 'incremental' }],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, { 'v8js.gc.type': 'weakcb' }],
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
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // node's GC entries carry their kind in `detail` (the type says unknown).
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind ?? -1;
      const attrs = GC_TYPE_ATTRIBUTES.get(kind);
      if (attrs) duration.record(entry.duration / 1000, attrs);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
