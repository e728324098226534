/** A query that does not parse. `column` is 1-based; the message ends with the query and a caret under it. */
export class QuerySyntaxError extends Error {
  override name = "QuerySyntaxError";
  readonly column: number;
  /** The reason alone, without the column or caret, for callers that build their own message. */
  readonly reason: string;

  constructor(reason: string, query: string, column: number) {
    super(`${reason} at column ${column}\n  ${query}\n  ${" ".repeat(column - 1)}^`);
    this.column = column;
    this.reason = reason;
  }
}
