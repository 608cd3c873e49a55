/**
 * A fake Docker credential helper: writes `<dir>/docker-credential-<name>`, a shell script that
 * answers `get` for the servers given (https://github.com/docker/docker-credential-helpers
 * protocol: server URL on stdin, JSON on stdout) and, like real helpers, exits 1 with
 * "credentials not found in native keychain" for any other; every server asked is appended to
 * `<dir>/asked.log`.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Writes the helper; returns its path. */
export function writeCredentialHelper(dir: string, name: string, answers: Record<string, { Username: string; Secret: string }>): string {
  mkdirSync(dir, { recursive: true })
  const cases = Object.entries(answers).map(([server, creds]) => `  '${server}') echo '${JSON.stringify({ ServerURL: server, ...creds })}' ;;`)
  const script = ['#!/bin/sh', 'read -r server', 'echo "$server" >> "$(dirname "$0")/asked.log"', 'case "$server" in', ...cases, '  *) echo "credentials not found in native keychain"; exit 1 ;;', 'esac', ''].join('\n')
  const path = join(dir, `docker-credential-${name}`)
  writeFileSync(path, script)
  chmodSync(path, 0o755)
  return path
}
