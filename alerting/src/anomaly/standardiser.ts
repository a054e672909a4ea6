export interface StandardiserJSON {
  mean: number[];
  scale: number[];
}

/**
 * Z-scores each column with the training data's mean and standard deviation, saved with the
 * model so scoring uses the same transform. A constant column gets scale 1 (not a division by
 * zero): it stays constant in training and any later deviation still shows.
 */
export class Standardiser {
  private constructor(
    readonly mean: readonly number[],
    readonly scale: readonly number[],
  ) {}

  static fit(rows: readonly (readonly number[])[]): Standardiser {
    if (rows.length === 0) throw new Error('standardiser: no rows');
    const d = rows[0].length;
    const mean = new Array<number>(d).fill(0);
    const scale = new Array<number>(d).fill(0);
    for (const row of rows) for (let f = 0; f < d; f++) mean[f] += row[f] / rows.length;
    for (const row of rows) for (let f = 0; f < d; f++) scale[f] += (row[f] - mean[f]) ** 2 / rows.length;
    for (let f = 0; f < d; f++) {
      const std = Math.sqrt(scale[f]);
      scale[f] = std > 1e-12 * Math.max(1, Math.abs(mean[f])) ? std : 1;
    }
    return new Standardiser(mean, scale);
  }

  transform(row: readonly number[]): number[] {
    return row.map((x, f) => (x - this.mean[f]) / this.scale[f]);
  }

  transformAll(rows: readonly (readonly number[])[]): number[][] {
    return rows.map((r) => this.transform(r));
  }

  toJSON(): StandardiserJSON {
    return { mean: [...this.mean], scale: [...this.scale] };
  }

  static fromJSON(json: StandardiserJSON): Standardiser {
    if (!Array.isArray(json?.mean) || !Array.isArray(json?.scale) || json.mean.length !== json.scale.length) {
      throw new Error('standardiser: bad model');
    }
    if (!json.scale.every((s) => Number.isFinite(s) && s > 0))
      throw new Error('standardiser: scales must be positive');
    return new Standardiser(json.mean.map(Number), json.scale.map(Number));
  }
}
