/** Ingest limits (DESIGN.md "Ingest"); each is configurable through the environment. */
export interface IngestLimits {
  maxBodyBytes: number;
  maxItems: number;
  maxNameLength: number;
  maxLabels: number;
  maxLabelValueLength: number;
  maxFutureMs: number;
}

export const defaultLimits: IngestLimits = {
  maxBodyBytes: 10 * 1024 * 1024,
  maxItems: 50_000,
  maxNameLength: 200,
  maxLabels: 32,
  maxLabelValueLength: 1024,
  maxFutureMs: 10 * 60 * 1000,
};
