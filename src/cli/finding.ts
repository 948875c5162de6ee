/** One line of the report. */
export interface Finding {
  readonly level: 'ok' | 'info' | 'warn' | 'fail';
  readonly text: string;
}
