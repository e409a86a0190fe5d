#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx, so there is no build step to forget.
require('tsx/cjs');
require('../src/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
