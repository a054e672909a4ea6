import { median } from './robustBaseline';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Days of history kept per hour of day, and weeks per weekday. */
const DAYS_KEPT = 14;
const WEEKS_KEPT = 4;

export interface SeasonalProfileJSON {
  hourly: number[][];
  daily: number[][];
  openHour: { bucket: number; sum: number; count: number } | null;
  openDay: { bucket: number; sum: number; count: number } | null;
}

/**
 * Hour-of-day and weekday profiles built from closed hourly and daily means (UTC). The
 * seasonal component of a time is its hour's median mean minus the median over hours (plus
 * the same for its weekday), so subtracting it removes the daily and weekly shape while a
 * level shift, which moves every hour alike, cancels out. Each profile switches on only
 * once enough history exists: 3 days for most hours, 2 weeks for every weekday.
 */
export class SeasonalProfile {
  private hourly: number[][] = Array.from({ length: 24 }, () => []);
  private daily: number[][] = Array.from({ length: 7 }, () => []);
  private openHour: { bucket: number; sum: number; count: number } | null = null;
  private openDay: { bucket: number; sum: number; count: number } | null = null;
  private hourComponent: number[] | null = null;
  private dayComponent: number[] | null = null;

  add(timestamp: number, value: number): void {
    const hourBucket = Math.floor(timestamp / HOUR);
    if (this.openHour && this.openHour.bucket !== hourBucket) {
      const { bucket, sum, count } = this.openHour;
      push(this.hourly[((bucket % 24) + 24) % 24], sum / count, DAYS_KEPT);
      this.openHour = null;
      this.refresh();
    }
    this.openHour ??= { bucket: hourBucket, sum: 0, count: 0 };
    this.openHour.sum += value;
    this.openHour.count++;

    const dayBucket = Math.floor(timestamp / DAY);
    if (this.openDay && this.openDay.bucket !== dayBucket) {
      const { bucket, sum, count } = this.openDay;
      push(this.daily[(((bucket + 4) % 7) + 7) % 7], sum / count, WEEKS_KEPT); // 1970-01-01 was a Thursday
      this.openDay = null;
      this.refresh();
    }
    this.openDay ??= { bucket: dayBucket, sum: 0, count: 0 };
    this.openDay.sum += value;
    this.openDay.count++;
  }

  /** True once the hour-of-day profile is in use. */
  get ready(): boolean {
    return this.hourComponent !== null;
  }

  /** Seasonal component expected at `timestamp` (0 while no profile is ready). */
  component(timestamp: number): number {
    const date = new Date(timestamp);
    let hourly = 0;
    if (this.hourComponent) {
      // Hourly means sit at half past; interpolate between neighbours so a ramp is followed.
      const position = ((((timestamp % DAY) + DAY) % DAY) / HOUR - 0.5 + 24) % 24;
      const h = Math.floor(position);
      const w = position - h;
      hourly = (1 - w) * this.hourComponent[h] + w * this.hourComponent[(h + 1) % 24];
    }
    return hourly + (this.dayComponent?.[date.getUTCDay()] ?? 0);
  }

  private refresh(): void {
    this.hourComponent = centred(this.hourly, 3, 20);
    this.dayComponent = centred(this.daily, 2, 7);
  }

  toJSON(): SeasonalProfileJSON {
    return { hourly: this.hourly, daily: this.daily, openHour: this.openHour, openDay: this.openDay };
  }

  static fromJSON(json: SeasonalProfileJSON): SeasonalProfile {
    const p = new SeasonalProfile();
    if (
      !Array.isArray(json?.hourly) ||
      json.hourly.length !== 24 ||
      !Array.isArray(json.daily) ||
      json.daily.length !== 7
    ) {
      throw new Error('seasonal profile: bad state');
    }
    p.hourly = json.hourly.map((a) => a.map(Number));
    p.daily = json.daily.map((a) => a.map(Number));
    p.openHour = json.openHour;
    p.openDay = json.openDay;
    p.refresh();
    return p;
  }
}

function push(list: number[], value: number, keep: number): void {
  list.push(value);
  if (list.length > keep) list.shift();
}

/** Per-bucket medians minus their median; null until `minBuckets` buckets have `minEach` entries. */
function centred(buckets: number[][], minEach: number, minBuckets: number): number[] | null {
  const medians = buckets.map((b) => (b.length >= minEach ? median(b) : NaN));
  const known = medians.filter((m) => !Number.isNaN(m));
  if (known.length < minBuckets) return null;
  const mid = median(known);
  return medians.map((m) => (Number.isNaN(m) ? 0 : m - mid));
}
