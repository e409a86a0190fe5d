import { pickEnvironment } from '../ops/enqueue';
import { OpsError } from '../ops/errors';
import { runMirrorCounts } from '../ops/mirror';
import { watchRuns } from '../ops/reconcile-watch';
import { type Command, choiceFlag, idsFlag, parseFlags } from './command';
import { duration, progressLine } from './format';
import { TARGET_FLAGS, TARGET_HELP, withTarget } from './target';

const HELP = `Usage: jama-sync reconcile [--mode incremental|full] [--project 20,21] [--env NAME] [target]

Starts a reconciliation now, as the schedule would, and shows its progress until every run has
finished (the last page is in the sinks and, for full runs, the sweep's verification pulls are
done). Ctrl-C stops watching; the runs go on.

  incremental  items changed since the project's watermark, and DELETE activities (tombstones)
  full         every item, then a verified mark-and-sweep of mirror rows Jama no longer has

Locally the running \`jama-sync local\` does it (it holds the Jama credentials); for a stack the
reconcile function is invoked. A project whose run of that mode is still going is skipped.

Options:
  --mode M               incremental or full (default incremental)
  --project 20,21        Only these projects (default: every configured project)
  --env NAME             The Jama environment (default: the only one; required with --project
                         when there are several)
  -h, --help             Show this help

${TARGET_HELP}

Examples:
  npx jama-sync reconcile
  npx jama-sync reconcile --mode full --project 20
  npx jama-sync reconcile --mode full --stack JamaSync --region eu-west-1
`;

const FLAGS = {
  ...TARGET_FLAGS,
  mode: { type: 'string' },
  project: { type: 'string' },
  env: { type: 'string' },
} as const;

export const reconcileCommand: Command = {
  name: 'reconcile',
  summary: 'Start an incremental or full reconciliation now and show its progress',
  help: HELP,
  async run(argv, io) {
    const { values } = parseFlags(argv, FLAGS, 'reconcile');
    const mode = choiceFlag('mode', values.mode, ['incremental', 'full'] as const, 'incremental');
    const projects = idsFlag('project', values.project, 'project ids');
    const tty = process.stderr.isTTY === true;
    return withTarget(values, async (d) => {
      const env = values.env || projects ? pickEnvironment(d, values.env) : undefined;
      if (projects && env) {
        if (!d.check) io.err(`Not checked with Jama from here that project(s) ${projects.join(', ')} exist.`);
        else {
          const found = await d.check({ env, projects });
          if (found.missingProjects.length)
            throw new OpsError(
              'TARGET_NOT_FOUND',
              `Project(s) ${found.missingProjects.join(', ')} not found in Jama (${env}); the API user sees: ${found.visibleProjects.join(', ') || 'none'}.`,
            );
        }
      }
      const started = Date.now();
      const summary = await d.reconcile({ mode, ...(projects ? { projects } : {}), ...(env ? { env } : {}) });
      for (const s of summary.skipped) io.out(`Skipped ${s.env}/${s.projectId}: ${s.reason}`);
      for (const f of summary.failed) io.out(`Failed to start ${f.env}/${f.projectId}: ${f.error}`);
      if (summary.started.length === 0) {
        io.out(`Run ${summary.runId}: nothing started.`);
        return summary.failed.length ? 1 : 0;
      }
      const which = summary.started.map((s) => `${s.env}/${s.projectId}`).join(', ');
      io.out(`Started ${mode} run ${summary.runId} for ${which}.`);
      const line = progressLine(io, tty);
      const last = await watchRuns(d, summary, (p) =>
        line.show(
          `runs finished ${p.finished}/${p.started} · reconcile queue ${p.reconcileBacklog} · jobs queue ${p.jobsBacklog} · DLQ ${p.deadLetters} · ${duration(Date.now() - started)}`,
        ),
      );
      line.done();
      if (!last.done) {
        throw new OpsError(
          'OPERATION_FAILED',
          `${last.started - last.finished} run(s) stopped before their last page: a scan job is in the dead-letter queue. See \`jama-sync dlq list\`, fix the cause, then \`jama-sync dlq redrive --all\`.`,
        );
      }
      io.out(
        `Run ${summary.runId} finished in ${duration(Date.now() - started)}: ${last.finished} project(s).`,
      );
      if (d.tables.mirror && d.kind === 'local') {
        for (const name of new Set(summary.started.map((s) => s.env))) {
          const c = await runMirrorCounts(d, name, summary, started);
          io.out(
            `  ${name}: ${c.seen !== undefined ? `${c.seen} items read, ` : ''}${c.written} written to the mirror (new or changed${c.seen !== undefined ? ', or marked seen' : ''}), ${c.tombstoned} tombstoned.`,
          );
        }
      }
      return 0;
    });
  },
};
