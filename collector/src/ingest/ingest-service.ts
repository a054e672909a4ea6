import {
  BatchWriter,
  createFastPushParser,
  createPushSchema,
  PriceTable,
  QueueFullError,
  SamplesJsonReader,
  SeriesLimitError,
  toFieldErrors,
  toRows,
  type Database,
  type IngestLimits,
  type Logger,
  type PriceOverride,
  type PushPayload,
  type PushSchema,
  type RowBatch,
  type SampleColumns,
} from '@aihub/core';
import { parseJsonBody } from '../http/body';
import { ApiError } from '../http/errors';
import type { CollectorTelemetry } from '../telemetry/telemetry';

export interface IngestResult {
  accepted: number;
  duplicate: boolean;
}

export interface IngestOptions {
  idempotencyKey?: string;
  /** Family label for aihub_ingest_samples_total when the items come from a bridge (otlp, tensorboard). */
  source?: string;
}

/**
 * The one path every pushed item takes — HTTP push, OTLP, TensorBoard, the collector's own
 * host metrics: validate, price, map to rows, group-commit, then update /metrics.
 */
export class IngestService {
  private readonly schema: PushSchema;
  private readonly fastParse: (input: unknown) => PushPayload | undefined;
  private readonly samplesReader: SamplesJsonReader;
  private readonly prices: PriceTable;
  private readonly warnedUnpriced = new Set<string>();

  constructor(
    private readonly deps: {
      db: Database;
      writer: BatchWriter;
      telemetry: CollectorTelemetry;
      logger: Logger;
      limits: IngestLimits;
      priceOverrides?: Record<string, PriceOverride>;
      now?: () => number;
    },
  ) {
    this.schema = createPushSchema(deps.limits, deps.now);
    this.fastParse = createFastPushParser(deps.limits, deps.now);
    this.samplesReader = new SamplesJsonReader(deps.limits);
    this.prices = new PriceTable(deps.priceOverrides);
  }

  /** The service's clock: what "now" means for items without ts and for MAX_FUTURE. */
  now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** True while the write queue is full: new pushes are refused before their bodies are parsed. */
  get overloaded(): boolean {
    return this.deps.writer.queuedRows >= this.deps.writer.maxQueueRows;
  }

  /** Validates a payload; throws a 400 ApiError naming every bad field. */
  validate(input: unknown): PushPayload {
    // The common all-samples push skips zod; anything else, and every error, is the schema's.
    const common = this.fastParse(input);
    if (common) return common;
    const parsed = this.schema.safeParse(input);
    if (!parsed.success) {
      this.deps.telemetry.countRejected('invalid');
      throw new ApiError(
        400,
        'invalid_payload',
        'the payload does not match the push schema',
        toFieldErrors(parsed.error),
      );
    }
    return parsed.data;
  }

  /** Stores a payload durably; resolves only after COMMIT. */
  async ingest(input: unknown, opts: IngestOptions = {}): Promise<IngestResult> {
    const payload = this.validate(input);
    return this.ingestValid(payload, opts);
  }

  /**
   * Stores a JSON body (POST /v1/push): a plain samples push is read from its bytes into
   * columns (SamplesJsonReader); any other body is parsed and validated as usual.
   */
  async ingestJson(body: Buffer, opts: IngestOptions = {}): Promise<IngestResult> {
    const now = this.now();
    const columns = this.samplesReader.read(body, now);
    if (!columns) return this.ingest(parseJsonBody(body), opts);
    return this.ingestColumns(columns, opts);
  }

  /** Stores samples already validated and keyed (the samples reader, remote write's plain series). */
  async ingestColumns(columns: SampleColumns, opts: IngestOptions = {}): Promise<IngestResult> {
    const batch: RowBatch = { samples: [], sampleColumns: columns, llm: [], training: [] };
    return this.store(batch, { samples: columns.count }, opts);
  }

  async ingestValid(payload: PushPayload, opts: IngestOptions = {}): Promise<IngestResult> {
    const now = this.now();
    const batch = toRows(payload, now, (r) => {
      const price = this.prices.price(r.provider, r.model, r, new Date(r.timeMs));
      if (!price) this.warnUnpriced(r.provider, r.model);
      return price?.costUsd ?? null;
    });
    const counts = {
      system: payload.system?.length ?? 0,
      business: payload.business?.length ?? 0,
      llm: payload.llm?.length ?? 0,
      training: payload.training?.length ?? 0,
      samples: payload.samples?.length ?? 0,
    };
    const result = await this.store(batch, counts, opts);
    if (!result.duplicate) this.deps.telemetry.recordSystem(payload.system ?? [], now);
    return result;
  }

  /** Group-commits a batch; `counts` are its items by family (what the 202 answer counts). */
  private async store(
    batch: RowBatch,
    counts: Record<string, number>,
    opts: IngestOptions,
  ): Promise<IngestResult> {
    const accepted = Object.values(counts).reduce((a, b) => a + b, 0);
    let result: IngestResult;
    try {
      result = await this.deps.writer.write({ batch, accepted, idempotencyKey: opts.idempotencyKey });
    } catch (err) {
      if (err instanceof QueueFullError) {
        this.deps.telemetry.countRejected('overloaded');
        throw new ApiError(429, 'overloaded', 'the write queue is full; retry later', [], {
          'Retry-After': String(err.retryAfterSeconds),
        });
      }
      if (err instanceof SeriesLimitError) {
        this.deps.telemetry.countRejected('series_limit');
        throw new ApiError(
          400,
          'series_limit_exceeded',
          `the request would create ${err.newSeries} new series, past the limit of ${err.limit} (MAX_SERIES); nothing was stored, existing series are still accepted`,
          [{ path: '(series)', message: `new series refused: ${err.series.slice(0, 300)}` }],
        );
      }
      this.deps.telemetry.countRejected('storage');
      this.deps.logger.error('storage write failed', { err });
      throw new ApiError(
        503,
        'storage_unavailable',
        'storage is unavailable; nothing was stored, retry later',
        [],
        {
          'Retry-After': '5',
        },
      );
    }
    if (!result.duplicate) {
      const t = this.deps.telemetry;
      t.recordLlm(batch.llm);
      t.recordTraining(batch.training);
      for (const [family, n] of Object.entries(counts)) t.countIngested(opts.source ?? family, n);
    }
    return result;
  }

  private warnUnpriced(provider: string, model: string): void {
    const key = `${provider}/${model}`;
    if (this.warnedUnpriced.has(key) || this.warnedUnpriced.size > 10_000) return;
    this.warnedUnpriced.add(key);
    this.deps.logger.warn('no price known for model; its cost is not counted (set PRICES_FILE to add one)', {
      provider,
      model,
    });
  }
}
