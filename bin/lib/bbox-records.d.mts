/** Types of bbox-records.mjs (plain JS so the CLI runs without a build step). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
  confidence: number;
}
export interface BboxResult {
  width: number;
  height: number;
  boxes: Box[];
}
export interface BboxRecord {
  source: string;
  width: number | null;
  height: number | null;
  boxes: Box[];
  error?: string;
}
export declare const CSV_COLUMNS: readonly string[];
export declare function bboxRecord(source: string, result: BboxResult | null, error?: string): BboxRecord;
export declare function toJsonLine(record: BboxRecord): string;
export declare function toCsvRows(record: BboxRecord): string;
export declare function toCsv(records: readonly BboxRecord[]): string;
export declare function mapBounded<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]>;
