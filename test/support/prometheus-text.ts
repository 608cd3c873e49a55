// A strict parser of the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format): HELP and TYPE
// lines, samples with escaped label values, histogram _bucket/_sum/_count series. It throws on any
// line it cannot read, so a malformed /metrics fails the test instead of being skipped.

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export interface MetricFamily {
  name: string
  type: string
  help: string
  samples: Sample[]
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created']

/** Parses the whole exposition into families keyed by metric name. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>()
  const family = (name: string) => {
    let found = families.get(name)
    if (!found) families.set(name, (found = { name, type: 'untyped', help: '', samples: [] }))
    return found
  }
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line)
    if (meta) {
      const [, kind, name = '', rest = ''] = meta
      if (!NAME.test(name)) throw new Error(`line ${i + 1}: bad metric name ${name}`)
      if (kind === 'HELP') family(name).help = rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\')
      else if (['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) family(name).type = rest
      else throw new Error(`line ${i + 1}: bad type ${rest}`)
      continue
    }
    if (line.startsWith('#')) continue
    const sample = parseSample(line, i + 1)
    const base = families.has(sample.name) ? sample.name : baseName(sample.name, families)
    family(base).samples.push(sample)
  }
  return families
}

function baseName(name: string, families: Map<string, MetricFamily>): string {
  for (const suffix of SUFFIXES) {
    if (name.endsWith(suffix) && families.has(name.slice(0, -suffix.length))) return name.slice(0, -suffix.length)
  }
  return name
}

function parseSample(line: string, at: number): Sample {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(\s+-?\d+)?$/.exec(line)
  if (!match) throw new Error(`line ${at}: not a sample: ${line}`)
  const [, name = '', labelText, valueText = ''] = match
  const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : valueText === 'NaN' ? NaN : Number(valueText)
  if (Number.isNaN(value) && valueText !== 'NaN') throw new Error(`line ${at}: bad value ${valueText}`)
  return { name, labels: labelText ? parseLabels(labelText.slice(1, -1), at) : {}, value }
}

function parseLabels(text: string, at: number): Record<string, string> {
  const labels: Record<string, string> = {}
  let rest = text
  while (rest.length > 0) {
    const match = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,?)/.exec(rest)
    if (!match) throw new Error(`line ${at}: bad labels {${text}}`)
    const [whole, label = '', raw = '', comma] = match
    labels[label] = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
    rest = rest.slice(whole.length)
    if (!comma && rest.length > 0) throw new Error(`line ${at}: bad labels {${text}}`)
  }
  return labels
}

/** The value of the sample `name{labels}` (labels matched exactly), or undefined. */
export function readSample(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const all = [...families.values()].flatMap((f) => f.samples)
  const wanted = JSON.stringify(Object.entries(labels).sort())
  return all.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted)?.value
}
