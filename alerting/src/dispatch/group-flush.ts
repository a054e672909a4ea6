import type { RouteConfig } from '../config/schema';
import type { Labels } from '../types/labels';
import type { Alert } from '../types/alert';

/** Persisted state of one aggregation group (notification_groups). */
export interface GroupState {
  groupKey: string;
  route: number;
  groupLabels: Labels;
  firstSeen: number;
  lastFlushAt: number | null;
  lastHash: string | null;
  /** Fingerprints announced as firing by the last flush (their resolution is announced next). */
  lastFiring: string[];
  flushes: number;
}

/** One aggregation group on its way through the dispatch-side stages. */
export interface GroupFlush {
  now: number;
  route: RouteConfig;
  state: GroupState;
  firing: Alert[];
  resolved: Alert[];
  /** Set by the mute stage. */
  muted: string[];
  /** Set by the wait stage: identity of the alert set being sent. */
  hash?: string;
  /** Set by the dedup stage: what each channel gets. */
  deliveries?: { channel: string; alerts: Alert[] }[];
}
