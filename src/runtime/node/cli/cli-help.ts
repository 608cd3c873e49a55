/**
 * Help texts of `manifest-hook` and of each verb, and the documented exit codes.
 */

/** Exit codes of every verb (docs/cli.md lists the same). */
export const EXIT = {
  /** It worked (serve: the server started). */
  ok: 0,
  /** It ran and failed: an invalid config, a refused or incomplete publish, an unreachable server. */
  failure: 1,
  /** A usage mistake: unknown verb or option, a missing argument. */
  usage: 2,
} as const

const EXIT_CODES = `Exit codes: 0 success, 1 failure (invalid config, publish failed or incomplete,
server unreachable), 2 usage error (unknown verb or option, missing argument).`

export const VERBS = ['serve', 'publish', 'status', 'validate', 'init'] as const
export type Verb = (typeof VERBS)[number]

/** `manifest-hook --help`. */
export const MAIN_HELP = `manifest-hook: registry push webhooks in, multi-arch image index out.

Usage: manifest-hook <verb> [options]

Verbs:
  serve                       run the webhook server (what \`npm start\` runs)
  publish <image> <version>   publish one version by hand: resolve, verify, copy, push the index
  status [image]              a version x platform table, from a server (--url) or the state file
  validate [config]           check a config file; every problem with its path
  init                        write a starter config for a registry and naming style

Options: --help (also after a verb), --version
Environment: MANIFEST_HOOK_CONFIG, MANIFEST_HOOK_DATA, NO_COLOR, and variables a config secret names.
${EXIT_CODES}
`

const CONFIG_OPTION = '  --config FILE      config file, JSON or YAML (default: MANIFEST_HOOK_CONFIG, else ./manifest-hook.json,\n                     .yaml or .yml)'
const DATA_OPTION = '  --data FILE        state file (default: MANIFEST_HOOK_DATA, else .manifest-hook/state.db)'

/** `manifest-hook <verb> --help`. */
export const VERB_HELP: Record<Verb, string> = {
  serve: `Usage: manifest-hook serve [options]

Runs the webhook server until SIGINT or SIGTERM. Logs are JSON lines on stdout.

${CONFIG_OPTION}
${DATA_OPTION}
  --port N           listen port (default: server.port, 8080)
  --host ADDRESS     listen address (default: server.host, 127.0.0.1)
  --log-level LEVEL  debug, info, warn or error (default: info)

${EXIT_CODES}
`,
  publish: `Usage: manifest-hook publish <image> <version> [options]

Publishes <version> of the configured <image> (its target, e.g. ghcr.io/org/app) by hand, as the
server would once every per-arch tag has arrived: each per-arch tag is resolved and verified, its
blobs and manifest copied into the target, the index pushed under the version's tags, and the
moving tags (latest, floating) moved by the tag policy. Prints a line per child and blob, then
the index digest and the tags moved. Records the publish in the state file.

${CONFIG_OPTION}
${DATA_OPTION}
  --dry-run          resolve and verify only; print the index that would be pushed; write nothing
                     to the registry or the state file

${EXIT_CODES}
`,
  status: `Usage: manifest-hook status [image] [options]

Prints a version x platform table per image: ok (arrived and verified), pending (arrived, not
resolved yet), refused, or - (missing).

  --url URL          ask a running server (GET URL/status); its admin token from
                     MANIFEST_HOOK_ADMIN_TOKEN when it needs one
${CONFIG_OPTION}
${DATA_OPTION}
                     (without --url, the state file is read; the config names the images)
  --version V        only this version
  --json             the status document as JSON instead of the table

${EXIT_CODES}
`,
  validate: `Usage: manifest-hook validate [config]

Checks a config file (default: MANIFEST_HOOK_CONFIG, else ./manifest-hook.json) and prints every
problem with its path, e.g. images.0.platforms.1: "amd64" is not os/arch[/variant]. Secrets named
by {"env": "NAME"} must be set in the environment.

${EXIT_CODES}
`,
  init: `Usage: manifest-hook init [options]

Writes a starter config for one image.

  --registry HOST    the registry: ghcr.io, docker.io, quay.io, <name>.azurecr.io,
                     <account>.dkr.ecr.<region>.amazonaws.com, or any distribution/Harbor/Gitea
                     host (default: 127.0.0.1:5000)
  --image PATH       the repository of the multi-arch image (default: org/app)
  --naming STYLE     repo (PATH-{arch}:{version}) or suffix (PATH:{version}-{arch}) (default: repo)
  --output FILE      where to write it; .yaml or .yml writes YAML (default: ./manifest-hook.json)
  --platforms LIST   comma-separated os/arch[/variant] (default: linux/amd64,linux/arm64)
  --force            overwrite an existing file

${EXIT_CODES}
`,
}
