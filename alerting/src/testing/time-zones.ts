/** A fixed-offset IANA zone in which it is about noon now, so a day cannot roll over mid-test. */
export function zoneAtNoon(): string {
  const k = 12 - new Date().getUTCHours();
  return k >= 0 ? `Etc/GMT-${k}` : `Etc/GMT+${-k}`;
}
