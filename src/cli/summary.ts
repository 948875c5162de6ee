import { percentile } from './percentile';
import { isSuccess, type SendResult } from './send';
import { renderTable, type Cell } from './table';
import type { Styles } from './terminal';

/** How the deliveries of one group (an event type, a capture file) went. */
export interface GroupSummary {
  readonly group: string;
  readonly sent: number;
  readonly ok: number;
  /** Deliveries by HTTP status (`"202"`), or `"no answer"`. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The distinct reasons of the failures, at most a few. */
  readonly problems: readonly string[];
}

/** How a whole run went. */
export interface SendSummary {
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  readonly elapsedMs: number;
  readonly groups: readonly GroupSummary[];
}

const NO_ANSWER = 'no answer';
const MAX_PROBLEMS = 3;

/** Groups the results (in the order their groups first appear) and measures each group. */
export function summarize(results: readonly SendResult[], elapsedMs: number): SendSummary {
  const byGroup = new Map<string, SendResult[]>();
  for (const result of results) {
    const list = byGroup.get(result.group);
    if (list) list.push(result);
    else byGroup.set(result.group, [result]);
  }
  const groups = [...byGroup].map(([group, list]): GroupSummary => {
    const statuses: Record<string, number> = {};
    const problems: string[] = [];
    for (const result of list) {
      const key = result.status === undefined ? NO_ANSWER : String(result.status);
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (result.problem && problems.length < MAX_PROBLEMS && !problems.includes(result.problem)) {
        problems.push(result.problem);
      }
    }
    const times = list.map((result) => result.ms);
    return {
      group,
      sent: list.length,
      ok: list.filter((result) => isSuccess(result.status)).length,
      statuses,
      p50Ms: round(percentile(times, 50)),
      p99Ms: round(percentile(times, 99)),
      problems,
    };
  });
  const ok = groups.reduce((sum, group) => sum + group.ok, 0);
  return { sent: results.length, ok, failed: results.length - ok, elapsedMs: round(elapsedMs), groups };
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

function statusCell(group: GroupSummary, style: Styles): Cell {
  const entries = Object.entries(group.statuses);
  const text = entries.map(([status, count]) => (entries.length === 1 && count === 1 ? status : `${status} ×${count}`));
  const good = group.ok === group.sent;
  return { text: text.join(', '), paint: good ? style.green : style.red };
}

const ms = (value: number): string => (Number.isNaN(value) ? '-' : value < 10 ? value.toFixed(1) : value.toFixed(0));

/** The summary as a table, one row per group, then a line per failure reason and the total. */
export function renderSummary(summary: SendSummary, groupTitle: string, style: Styles): string {
  const rows = summary.groups.map((group): Cell[] => [
    { text: group.group },
    { text: String(group.sent) },
    statusCell(group, style),
    { text: ms(group.p50Ms) },
    { text: ms(group.p99Ms) },
  ]);
  const lines = [renderTable([groupTitle, 'sent', 'status', 'p50 ms', 'p99 ms'], rows, new Set([1, 3, 4]), style.bold)];
  const failing = summary.groups.filter((group) => group.problems.length > 0);
  if (failing.length > 0) {
    lines.push('');
    for (const group of failing) {
      for (const problem of group.problems) lines.push(`${style.red('✗')} ${group.group}: ${problem}`);
    }
  }
  lines.push('');
  const seconds = (summary.elapsedMs / 1000).toFixed(2);
  lines.push(
    summary.failed === 0
      ? style.green(`✓ ${summary.sent} of ${summary.sent} answered 2xx in ${seconds} s`)
      : style.red(`✗ ${summary.failed} of ${summary.sent} not answered 2xx (Polar would retry them) in ${seconds} s`),
  );
  return `${lines.join('\n')}\n`;
}
