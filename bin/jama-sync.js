#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx, so there is no build step to forget.
// Checked before anything else loads: on older Node, undici and tsx fail with errors no one can act on.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `jama-sync needs Node.js 22.12 or newer; this is Node.js ${process.versions.node} (${process.execPath}).\n` +
      'Install Node 22 (e.g. `nvm install 22`), or run it through npm, which uses the Node this project installs: `npm start`, `npx jama-sync …`.\n',
  );
  process.exit(1);
}
const { readFileSync } = await import('node:fs');
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), undefined, undefined, { version });
