/**
 * Index annotations: the configured ones plus `org.opencontainers.image.*` derived from the
 * children (their manifest annotations and config labels) where the children agree. Pure.
 * Keys: https://github.com/opencontainers/image-spec/blob/main/annotations.md
 */
import { renderTagTemplate } from './tag-policy.ts'

const OCI_PREFIX = 'org.opencontainers.image.'
const CREATED = 'org.opencontainers.image.created'

/** Keeps the `org.opencontainers.image.*` entries of a child's annotations and labels (annotations win). */
export function pickImageAnnotations(labels: Record<string, string>, annotations: Record<string, string> = {}): Record<string, string> {
  const merged = { ...labels, ...annotations }
  return Object.fromEntries(Object.entries(merged).filter(([key, value]) => key.startsWith(OCI_PREFIX) && value !== ''))
}

/**
 * Derives the index's annotations: each OCI key whose value every child that has it agrees on
 * (`created`: the newest), then the configured ones (values may use `{version}` etc.) on top.
 */
export function buildIndexAnnotations(children: readonly Record<string, string>[], configured: Record<string, string>, version: string): Record<string, string> {
  const derived: Record<string, string> = {}
  const keys = new Set(children.flatMap((child) => Object.keys(child)))
  for (const key of keys) {
    const values = [...new Set(children.flatMap((child) => (child[key] === undefined ? [] : [child[key] as string])))]
    if (key === CREATED) derived[key] = values.sort().at(-1) as string
    else if (values.length === 1) derived[key] = values[0] as string
  }
  const rendered = Object.entries(configured).map(([key, value]) => [key, renderTagTemplate(value, version) ?? value] as const)
  return { ...derived, ...Object.fromEntries(rendered) }
}
