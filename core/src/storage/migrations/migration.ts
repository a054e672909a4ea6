export interface Migration {
  /** Strictly increasing; applied in order, each once, inside one transaction. */
  version: number;
  name: string;
  sql: string;
}
