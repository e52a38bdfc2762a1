import { Box } from 'ink';
import { useTui } from './context.js';
import { Line } from './line.js';
import { useUi } from './store.js';

/** The focused job's transcript (or raw output), following its tail; only the lines on screen are drawn. */
export function LogPane({ height, width }: { height: number; width: number }) {
  const { store, controller } = useTui();
  const log = useUi(store, (state) => state.log);
  const job = useUi(store, (state) => (state.jobs.selected ? (state.run?.byId[state.jobs.selected] ?? null) : null));
  const rows = Math.max(1, height - 1);
  if (job?.state === 'awaiting-approval') {
    // A plan waiting for review is what there is to read.
    const plan = (job.plan ?? '').split('\n').slice(0, rows);
    return (
      <Box flexDirection="column">
        <Line width={width} color="yellow">{`The plan of ${job.id}: p approves · e edits, then approves · n rejects`}</Line>
        {plan.map((line, index) => (
          <Line key={index} width={width}>
            {line}
          </Line>
        ))}
      </Box>
    );
  }
  const lines = controller.log?.window(rows, log.scroll) ?? [];
  const where = log.follow ? 'following' : `paused, ${log.scroll} line${log.scroll === 1 ? '' : 's'} above the end (f follows)`;
  return (
    <Box flexDirection="column">
      <Line width={width} dimColor>{`${job ? `${job.id} · ${job.state}` : ''} · ${log.raw ? 'raw output' : 'transcript'} · ${where}`}</Line>
      {lines.length === 0 ? <Line width={width} dimColor>{job?.state === 'queued' ? 'The job has not started yet.' : 'No output yet.'}</Line> : null}
      {lines.map((line, index) => (
        <Line key={index} width={width} {...(line.startsWith('●') ? { color: 'cyan' } : line.startsWith('  ⎿') ? { dimColor: true } : {})}>
          {line}
        </Line>
      ))}
    </Box>
  );
}
