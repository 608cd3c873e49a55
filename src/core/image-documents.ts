/**
 * Parsers for the registry documents we read: image manifests, indexes and image configs.
 * Pure: bytes in, typed values (or a reason) out. Unknown fields are ignored, as the specs require.
 */
import * as z from 'zod/mini'
import { parseWithSchema } from './parse-with-schema.ts'
import { normalizePlatform, type Platform } from './platform.ts'

/** A content descriptor (https://github.com/opencontainers/image-spec/blob/main/descriptor.md). */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: Platform
  annotations?: Record<string, string>
  artifactType?: string
}

const digestSchema = z.string().check(z.regex(/^sha256:[a-f0-9]{64}$/))
const platformSchema = z.object({
  architecture: z.string().check(z.minLength(1)),
  os: z.string().check(z.minLength(1)),
  variant: z.optional(z.string()),
  'os.version': z.optional(z.string()),
  'os.features': z.optional(z.array(z.string())),
})
const descriptorSchema = z.object({
  mediaType: z.string().check(z.minLength(1)),
  digest: digestSchema,
  size: z.int().check(z.nonnegative()),
  platform: z.optional(platformSchema),
  annotations: z.optional(z.record(z.string(), z.string())),
  artifactType: z.optional(z.string()),
})
const manifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.optional(z.string()),
  artifactType: z.optional(z.string()),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: z.optional(descriptorSchema),
  annotations: z.optional(z.record(z.string(), z.string())),
})
const indexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.optional(z.string()),
  manifests: z.array(descriptorSchema),
})

/** A parsed image manifest: what must exist in a repository for it to be valid there. */
export interface ImageManifest {
  config: Descriptor
  layers: Descriptor[]
  subject?: Descriptor
  annotations?: Record<string, string>
  artifactType?: string
}

/** A parsed image index / manifest list. */
export interface ImageIndex {
  manifests: Descriptor[]
}

/** Outcome of parsing a document: the value, or why it is unusable. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string }

function parseJson<T>(bytes: Uint8Array, schema: z.ZodMiniType<T>, what: string): Parsed<T> {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    return { ok: false, reason: `${what} is not JSON` }
  }
  const result = parseWithSchema(schema, json)
  return result.ok ? result : { ok: false, reason: `${what} is invalid at ${result.issues[0]}` }
}

function toDescriptor(raw: z.infer<typeof descriptorSchema>): Descriptor {
  const { platform, ...rest } = raw
  return platform ? { ...rest, platform: toPlatform(platform) } : rest
}

function toPlatform(raw: z.infer<typeof platformSchema>): Platform {
  return normalizePlatform({
    os: raw.os,
    architecture: raw.architecture,
    ...(raw.variant ? { variant: raw.variant } : {}),
    ...(raw['os.version'] ? { osVersion: raw['os.version'] } : {}),
    ...(raw['os.features'] ? { osFeatures: raw['os.features'] } : {}),
  })
}

/** Parses an OCI or Docker v2 image manifest. */
export function parseImageManifest(bytes: Uint8Array): Parsed<ImageManifest> {
  const parsed = parseJson(bytes, manifestSchema, 'image manifest')
  if (!parsed.ok) return parsed
  const { config, layers, subject, annotations, artifactType } = parsed.value
  const value: ImageManifest = {
    config: toDescriptor(config),
    layers: layers.map(toDescriptor),
    ...(subject ? { subject: toDescriptor(subject) } : {}),
    ...(annotations ? { annotations } : {}),
    ...(artifactType ? { artifactType } : {}),
  }
  return { ok: true, value }
}

/** Parses an OCI image index or Docker manifest list. */
export function parseImageIndex(bytes: Uint8Array): Parsed<ImageIndex> {
  const parsed = parseJson(bytes, indexSchema, 'image index')
  if (!parsed.ok) return parsed
  return { ok: true, value: { manifests: parsed.value.manifests.map(toDescriptor) } }
}

const configSchema = z.extend(platformSchema, {
  config: z.nullish(z.object({ Labels: z.nullish(z.record(z.string(), z.string())) })),
})

/** What we read from an image config blob: the platform and the image's labels. */
export interface ImageConfigInfo {
  platform: Platform
  labels: Record<string, string>
}

/** Reads the platform (with Windows os.version / os.features) and labels out of an image config blob. */
export function parseImageConfig(bytes: Uint8Array): Parsed<ImageConfigInfo> {
  const parsed = parseJson(bytes, configSchema, 'image config')
  if (!parsed.ok) return parsed
  return { ok: true, value: { platform: toPlatform(parsed.value), labels: parsed.value.config?.Labels ?? {} } }
}
