/**
 * jama-sync against what users would pick instead. Every contestant gets a fresh Jama simulator
 * with the same seed and settings (10 calls/s, 100–300 ms latency) and the same work: a webhook
 * storm, then a full reconciliation. Prints a markdown table; writes JSON and an SVG chart of calls
 * per second to bench/results/.
 *
 *   npm run bench                  # 5,000 events over 2,000 items, then 3 × 2,000 items (about 19 min)
 *   npm run bench -- --quick       # 300 events over 120 items, then 3 × 120 items (under 2 min)
 *
 * jama-sync runs first, on its own: embedded DynamoDB and SQS run in this process and make it the one
 * CPU-bound contestant. The others, which mostly wait on latency and back-off, then run at the same
 * time, each against its own simulator (its own limit).
 *
 * Options: `--only jama-sync,naive-lambda,…`, `--sequential` (one contestant at a time),
 * `--cap-seconds N` (per contestant; default 1500 full, 100 quick: a contestant still running then
 * is reported as "did not drain in N s", with what it had done), `--seed N`, `--out DIR`, `--json` (JSON on stdout),
 * `--from FILE` (no run: render the table and chart again from a saved JSON report).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../src/core/errors';
import { renderChart } from './chart';
import { jamaSync } from './contestants/jama-sync';
import { naiveLambda } from './contestants/naive-lambda';
import { perProcessBottleneck } from './contestants/per-process-bottleneck';
import { pythonClient } from './contestants/python-client';
import type { Contestant } from './contestants/types';
import { type Measures, measure } from './measure';
import { buildReport, markdown, type Report } from './report';
import { numberOption, runBench } from './run';
import { makeWorkload, type WorkloadOptions } from './workload';

const CONTESTANTS: readonly Contestant[] = [jamaSync, naiveLambda, perProcessBottleneck, pythonClient];

const SCALES: Record<'full' | 'quick', { workload: WorkloadOptions; capSeconds: number }> = {
  full: { workload: { itemsPerProject: 2000, changedItems: 2000, events: 5000 }, capSeconds: 1500 },
  quick: { workload: { itemsPerProject: 120, changedItems: 120, events: 300 }, capSeconds: 100 },
};

async function main() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      sequential: { type: 'boolean', default: false },
      'cap-seconds': { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string', default: 'bench/results' },
      json: { type: 'boolean', default: false },
      from: { type: 'string' },
    },
  });
  if (values.from) {
    const report = JSON.parse(await readFile(values.from, 'utf8')) as Report;
    await writeResults(report, values.out, values.json);
    return;
  }
  const scale = values.quick ? 'quick' : 'full';
  const capSeconds = numberOption('cap-seconds', values['cap-seconds'], SCALES[scale].capSeconds, {
    integer: true,
    min: 1,
  });
  const workload = makeWorkload({
    ...SCALES[scale].workload,
    seed: numberOption('seed', values.seed, 1, { integer: true, min: 1 }),
  });
  const wanted = values.only?.split(',').map((s) => s.trim());
  const unknown = wanted?.filter((key) => !CONTESTANTS.some((c) => c.key === key)) ?? [];
  if (unknown.length > 0) {
    throw new UsageError(
      `Unknown contestant(s) ${unknown.join(', ')}; choose from ${CONTESTANTS.map((c) => c.key).join(', ')}`,
    );
  }
  const contestants = CONTESTANTS.filter((c) => !wanted || wanted.includes(c.key));
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const order = values.sequential
    ? 'one after another'
    : 'jama-sync first on its own, then the others at the same time, each against its own simulator';
  log(
    `bench (${scale}): ${workload.events.length} events over ${workload.changed.length} items, then ${workload.itemIds.length} items; ` +
      `${contestants.length} contestants, ${order}, cap ${capSeconds} s each`,
  );

  const runOne = async (contestant: Contestant): Promise<Measures> => {
    const started = Date.now();
    const prefix = `[${contestant.key}] `;
    const outcome = await contestant.run({
      workload,
      signal: AbortSignal.timeout(capSeconds * 1000),
      log: (message) => log(prefix + message),
    });
    const m = measure(contestant, outcome, workload, capSeconds);
    log(
      `${prefix}${m.drained ? `drained in ${m.wallSeconds.toFixed(1)} s` : `did not drain in ${capSeconds} s`}: ` +
        `${m.calls} calls, ${m.rejected429} × 429, ${m.eventsLost} events lost (${((Date.now() - started) / 1000).toFixed(0)} s with set-up)`,
    );
    return m;
  };
  const measured = new Map<Contestant, Measures>();
  const alone = contestants.filter((c) => values.sequential || c.key === 'jama-sync');
  for (const c of alone) measured.set(c, await runOne(c));
  const together = contestants.filter((c) => !alone.includes(c));
  await Promise.all(together.map(async (c) => measured.set(c, await runOne(c))));
  const results = contestants.flatMap((c) => measured.get(c) ?? []);

  const command = `npm run bench${[
    values.quick ? ' --quick' : '',
    values.only ? ` --only ${values.only}` : '',
    values.sequential ? ' --sequential' : '',
    values['cap-seconds'] ? ` --cap-seconds ${capSeconds}` : '',
    values.seed ? ` --seed ${values.seed}` : '',
  ]
    .join('')
    .replace(/^ /, ' -- ')}`;
  await writeResults(
    buildReport(results, workload, { command, scale, order, capSeconds }),
    values.out,
    values.json,
  );
}

/** Prints the table (or JSON) and writes latest.json, calls-per-second.svg and copies named by scale. */
async function writeResults(report: Report, out: string, json: boolean) {
  const w = report.workload;
  const table = markdown(report);
  const svg = renderChart(
    report.results,
    w.rateLimit,
    `Jama calls per second: ${w.events} events over ${w.changedItems} items, then ${w.projects * w.itemsPerProject} items (${report.scale})`,
  );
  const text = `${JSON.stringify(report, null, 2)}\n`;
  await mkdir(out, { recursive: true });
  await Promise.all([
    writeFile(join(out, 'latest.json'), text),
    writeFile(join(out, 'calls-per-second.svg'), svg),
    writeFile(join(out, `${report.scale}.json`), text),
    writeFile(join(out, `${report.scale}.md`), table),
    writeFile(join(out, `calls-per-second-${report.scale}.svg`), svg),
  ]);
  process.stdout.write(json ? text : table);
  process.stderr.write(
    `wrote ${out}/latest.json and ${out}/calls-per-second.svg (and ${report.scale}.json, .md, .svg)\n`,
  );
}

runBench(
  'bench',
  main,
  `Usage: npm run bench [-- --quick] [--only KEY,…] [--sequential] [--cap-seconds N] [--seed N] [--out DIR] [--json] [--from FILE]

  --quick            300 events over 120 items, then 3 × 120 items (under 2 min; default: 5,000 and 3 × 2,000)
  --only KEYS        only these contestants: ${CONTESTANTS.map((c) => c.key).join(', ')}
  --sequential       one contestant at a time
  --cap-seconds N    stop a contestant after N s and report what it did (default 1500, quick 100)
  --seed N           the workload's seed (default 1)
  --out DIR          where results go (default bench/results)
  --json             the JSON report on stdout instead of the table
  --from FILE        no run: render the table and chart again from a saved JSON report`,
);
