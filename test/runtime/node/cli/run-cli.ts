// Runs the CLI in-process with captured output (no colour unless the env asks for it).
import { runCli } from '../../../../src/runtime/node/cli/cli.ts'

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs `manifest-hook <argv>` in `cwd` with exactly `env` (nothing inherited). */
export async function runCliCaptured(argv: string[], options: { cwd: string; env?: Record<string, string>; isTty?: boolean }): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const io = { stdout: (text: string) => void (stdout += text), stderr: (text: string) => void (stderr += text), env: options.env ?? {}, cwd: options.cwd, isTty: options.isTty ?? false }
  const code = await runCli(argv, io)
  return { code, stdout, stderr }
}
