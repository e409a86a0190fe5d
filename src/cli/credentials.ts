import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors';
import { textFlag } from './command';

/** A secret from its flag, its file flag, or the environment; never blank. */
export function secretFrom(
  values: Record<string, unknown>,
  env: Record<string, string | undefined>,
  flag: string,
  variable: string,
): string | undefined {
  const file = values[`${flag}-file`] as string | undefined;
  if (file !== undefined && values[flag] !== undefined)
    throw new UsageError(`Give either \`--${flag}\` or \`--${flag}-file\`, not both.`);
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(
        `Cannot read \`--${flag}-file\` ${file}: ${(error as NodeJS.ErrnoException).code ?? error}.`,
      );
    }
    // One trailing newline is the file's, not the secret's.
    return textFlag(`${flag}-file`, text.replace(/\r?\n$/, ''));
  }
  if (values[flag] !== undefined) return textFlag(flag, values[flag] as string);
  return textFlag(variable, env[variable]);
}

/** With a real Jama: OAuth client id and secret, or username and password — said in flags. */
export function credentialsGiven(
  c: Record<'clientId' | 'clientSecret' | 'username' | 'password', string | undefined>,
) {
  if (c.clientId && c.clientSecret) return;
  if (c.username && c.password) return;
  if (c.clientId)
    throw new UsageError(
      '`--client-id` needs its secret: `--client-secret-file FILE` (or env JAMA_SYNC_CLIENT_SECRET).',
    );
  if (c.clientSecret) throw new UsageError('The client secret needs `--client-id ID`.');
  if (c.username)
    throw new UsageError(
      '`--username` needs its password: `--password-file FILE` (or env JAMA_SYNC_PASSWORD).',
    );
  if (c.password) throw new UsageError('The password needs `--username U`.');
  throw new UsageError(
    'Jama needs credentials: `--client-id ID --client-secret-file FILE` (an OAuth client, preferred) ' +
      'or `--username U --password-file FILE` (or env JAMA_SYNC_CLIENT_ID and JAMA_SYNC_CLIENT_SECRET).',
  );
}
