import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const DOC = path.join(__dirname, '../../../docs/webhooks.md');

/** The JSON code block that follows `<!-- name -->` in docs/webhooks.md. */
export function docBlock(name: string): unknown {
  const text = readFileSync(DOC, 'utf8');
  const at = text.indexOf(`<!-- ${name} -->`);
  if (at < 0) throw new Error(`docs/webhooks.md has no <!-- ${name} --> block`);
  const match = /```json\n([\s\S]*?)\n```/.exec(text.slice(at));
  if (!match?.[1]) throw new Error(`no JSON block after <!-- ${name} -->`);
  return JSON.parse(match[1]);
}
