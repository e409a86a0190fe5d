import { startLocalStack } from '/work/wt/i11/src/local/local-stack';
process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
const stack = await startLocalStack({ simulator: { projects: 3, itemsPerProject: 2000, seed: 5, rateLimit: 10 }, env: { JAMA_PROJECTS: '20,21,22' }, prefix: `d${Date.now()}` });
const t0 = Date.now();
console.log(await stack.reconcile.run({ mode: 'incremental' }));
const timer = setInterval(async () => {
  const calls = stack.simulator!.calls().filter((c) => !c.foreign);
  const m = await stack.mirror();
  console.log(((Date.now() - t0) / 1000).toFixed(1), 'calls', calls.length, '429', calls.filter((c) => c.status === 429).length, 'mirror', m.size, 'busy', stack.workers.busy, 'depth', await stack.depth('reconcile'), 'inv', stack.workers.reconcileSource.stats);
}, 2000);
try { await stack.idle({ timeoutMs: 60_000 }); } catch (e) { console.log(String(e)); }
clearInterval(timer);
console.log('dlq', (await stack.deadLetters()).map((m) => m.Body?.slice(0, 300)));
await stack.stop();
process.exit(0);
