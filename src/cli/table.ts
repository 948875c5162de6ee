/** One cell: its text, and how to colour it once padded (colour codes take no room on screen). */
export interface Cell {
  readonly text: string;
  readonly paint?: (text: string) => string;
}

/** Lays rows out in columns, two spaces apart; `right` lists the columns aligned to the right (numbers). */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly Cell[])[],
  right: ReadonlySet<number>,
  headerPaint: (text: string) => string = (text) => text,
): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.text.length ?? 0)),
  );
  const pad = (text: string, column: number): string => {
    const room = ' '.repeat((widths[column] as number) - text.length);
    return right.has(column) ? room + text : text + room;
  };
  const line = (cells: readonly Cell[]): string =>
    cells
      .map((cell, column) => {
        const padded = pad(cell.text, column);
        return cell.paint ? cell.paint(padded) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(header.map((title) => ({ text: title, paint: headerPaint }))), ...rows.map(line)].join('\n');
}
