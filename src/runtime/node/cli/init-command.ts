/**
 * `manifest-hook init`: writes a starter config (starter-config.ts) and says what to do next.
 */
import { existsSync, writeFileSync } from 'node:fs'
import { dirname, extname, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { stringify } from 'yaml'
import { isValidRepository, parseRepositoryName } from '../../../core/reference.ts'
import { YAML_EXTENSIONS } from '../config-file.ts'
import { EXIT } from './cli-help.ts'
import { UsageError, type CliIo, type Style } from './cli-io.ts'
import { findSchemaPath } from './package-files.ts'
import { buildStarterConfig, pickSource, SECRET_ENV, type NamingStyle } from './starter-config.ts'

const OPTIONS = {
  registry: { type: 'string', default: '127.0.0.1:5000' },
  image: { type: 'string', default: 'org/app' },
  naming: { type: 'string', default: 'repo' },
  platforms: { type: 'string', default: 'linux/amd64,linux/arm64' },
  output: { type: 'string', default: 'manifest-hook.json' },
  force: { type: 'boolean', default: false },
} as const

/** Writes the file; exit 1 when it exists (without --force). */
export async function runInitCommand(args: string[], io: CliIo, style: Style): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS })
  const naming = values.naming
  if (naming !== 'repo' && naming !== 'suffix') throw new UsageError(`--naming: "${naming}" is not repo or suffix`)
  if (parseRepositoryName(`${values.registry}/x`)?.registry !== values.registry) throw new UsageError(`--registry: "${values.registry}" is not a registry host`)
  if (!isValidRepository(values.image)) throw new UsageError(`--image: "${values.image}" is not a repository path (e.g. org/app)`)
  const output = resolve(io.cwd, values.output)
  if (existsSync(output) && !values.force) {
    io.stderr(`${style.red('error')}: ${output} exists (--force overwrites it)\n`)
    return EXIT.failure
  }
  const schemaPath = findSchemaPath()
  const schema = schemaPath ? toRelative(dirname(output), schemaPath) : undefined
  const starter = { registry: values.registry, image: values.image, naming: naming as NamingStyle, platforms: values.platforms.split(',') }
  writeFileSync(output, YAML_EXTENSIONS.includes(extname(output).toLowerCase()) ? formatYamlStarter(buildStarterConfig(starter), schema) : `${JSON.stringify(buildStarterConfig({ ...starter, ...(schema ? { schema } : {}) }), null, 2)}\n`)
  const source = pickSource(values.registry).id
  io.stdout([
    `${style.green('wrote')} ${output}`,
    'next:',
    `  export ${SECRET_ENV}=<a long random string>   (the ${source} webhook's secret)`,
    `  manifest-hook validate ${values.output}`,
    `  manifest-hook serve --config ${values.output}   then point the ${source} webhook at /webhooks/${source} (docs/providers.md)`,
    '',
  ].join('\n'))
  return EXIT.ok
}

function toRelative(from: string, to: string): string {
  const path = relative(from, to)
  return path.startsWith('.') ? path : `./${path}`
}

// YAML editors (the yaml-language-server behind VS Code's and others' YAML support) take the schema from this modeline.
function formatYamlStarter(config: Record<string, unknown>, schema: string | undefined): string {
  return `${schema ? `# yaml-language-server: $schema=${schema}\n` : ''}${stringify(config)}`
}
