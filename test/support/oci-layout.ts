/**
 * Builds tiny images as OCI image layouts on disk (no docker daemon): hand-written ustar layers,
 * gzip from node:zlib, an OCI config/manifest, and optionally a buildx-style index with an attestation.
 * Layout spec: https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { HarnessError } from './tools.ts'

/** What image to build; `platform` is `os/arch[/variant]`, written verbatim into the config. */
export interface BuildImageOptions {
  platform: string
  seed?: string
  osVersion?: string
  osFeatures?: string[]
  attestation?: boolean
  layers?: number
  layerBytes?: number
}

/** An image in an OCI layout directory, tagged `ref` inside the layout. */
export interface BuiltImage {
  dir: string
  ref: string
  manifestDigest: string
  configDigest: string
  indexDigest?: string
  attestationDigest?: string
  cleanup(): Promise<void>
}

interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: Record<string, unknown>
  annotations?: Record<string, string>
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip'
const IN_TOTO = 'application/vnd.in-toto+json'
const REF = 'image'

/** Writes the image (and attestation index if asked) into a fresh temp OCI layout. */
export async function buildImage(options: BuildImageOptions): Promise<BuiltImage> {
  const dir = await mkdtemp(join(tmpdir(), 'mh-oci-'))
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true })
  const cleanup = () => rm(dir, { recursive: true, force: true })
  try {
    const seed = options.seed ?? randomBytes(8).toString('hex')
    const platform = parsePlatformText(options)
    const image = await writeImage(dir, seed, platform, options)
    const top = options.attestation ? await writeAttestedIndex(dir, image, platform) : undefined
    await writeLayoutIndex(dir, top?.index ?? image.manifest)
    const attested = top ? { indexDigest: top.index.digest, attestationDigest: top.attestation.digest } : {}
    return { dir, ref: REF, manifestDigest: image.manifest.digest, configDigest: image.config.digest, ...attested, cleanup }
  } catch (error) {
    await cleanup()
    throw error
  }
}

function parsePlatformText(options: BuildImageOptions): Record<string, unknown> {
  const [os, architecture, variant, ...rest] = options.platform.split('/')
  if (!os || !architecture || rest.length > 0) throw new HarnessError(`bad platform ${options.platform}`)
  return {
    architecture,
    os,
    ...(options.osVersion ? { 'os.version': options.osVersion } : {}),
    ...(options.osFeatures ? { 'os.features': options.osFeatures } : {}),
    ...(variant ? { variant } : {}),
  }
}

async function writeImage(dir: string, seed: string, platform: Record<string, unknown>, options: BuildImageOptions) {
  const layers: Descriptor[] = []
  const diffIds: string[] = []
  for (let index = 0; index < (options.layers ?? 1); index++) {
    const tar = buildTar(`layer-${index}-${sha256Hex(seed).slice(0, 12)}.txt`, layerContent(seed, index, options.layerBytes))
    diffIds.push(`sha256:${sha256Hex(tar)}`)
    layers.push(await writeBlob(dir, OCI_LAYER, gzipSync(tar)))
  }
  const configJson = {
    created: '2024-01-01T00:00:00Z',
    ...platform,
    config: { Labels: { 'org.example.seed': seed } },
    rootfs: { type: 'layers', diff_ids: diffIds },
  }
  const config = await writeBlob(dir, OCI_CONFIG, jsonBytes(configJson))
  const manifest = await writeBlob(dir, OCI_MANIFEST, jsonBytes({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers }))
  return { manifest, config }
}

// buildx inline attestations: platform unknown/unknown plus vnd.docker.reference.* annotations.
// https://github.com/moby/buildkit/blob/master/docs/attestations/attestation-storage.md
async function writeAttestedIndex(dir: string, image: { manifest: Descriptor }, platform: Record<string, unknown>) {
  const statement = {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject: [{ name: REF, digest: { sha256: image.manifest.digest.slice('sha256:'.length) } }],
    predicate: { builder: { id: 'manifest-hook-test' } },
  }
  const layer = await writeBlob(dir, IN_TOTO, jsonBytes(statement), { 'in-toto.io/predicate-type': statement.predicateType })
  const configJson = { architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [layer.digest] } }
  const config = await writeBlob(dir, OCI_CONFIG, jsonBytes(configJson))
  const attestationJson = { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] }
  const attestation = await writeBlob(dir, OCI_MANIFEST, jsonBytes(attestationJson))
  const annotations = { 'vnd.docker.reference.digest': image.manifest.digest, 'vnd.docker.reference.type': 'attestation-manifest' }
  const manifests = [
    { ...image.manifest, platform },
    { ...attestation, annotations, platform: { architecture: 'unknown', os: 'unknown' } },
  ]
  const index = await writeBlob(dir, OCI_INDEX, jsonBytes({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }))
  return { index, attestation }
}

async function writeLayoutIndex(dir: string, top: Descriptor): Promise<void> {
  const entry = { ...top, annotations: { 'org.opencontainers.image.ref.name': REF } }
  await writeFile(join(dir, 'oci-layout'), jsonBytes({ imageLayoutVersion: '1.0.0' }))
  await writeFile(join(dir, 'index.json'), jsonBytes({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [entry] }))
}

async function writeBlob(dir: string, mediaType: string, bytes: Buffer, annotations?: Record<string, string>) {
  const hex = sha256Hex(bytes)
  await writeFile(join(dir, 'blobs', 'sha256', hex), bytes)
  return { mediaType, digest: `sha256:${hex}`, size: bytes.length, ...(annotations ? { annotations } : {}) }
}

// Deterministic bytes for a seed: AES-256-CTR keystream keyed by sha256(seed, layer index).
function layerContent(seed: string, index: number, size?: number): Buffer {
  if (size === undefined) return Buffer.from(`seed ${seed} layer ${index}\n`)
  const key = createHash('sha256').update(`${seed}/${index}`).digest()
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size))
}

/** Returns a ustar archive holding one regular file (https://www.gnu.org/software/tar/manual/html_node/Standard.html). */
export function buildTar(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512)
  const field = (offset: number, length: number, text: string) => header.write(text, offset, length, 'ascii')
  const octal = (value: number, width: number) => `${value.toString(8).padStart(width - 1, '0')}\0`
  field(0, 100, name)
  field(100, 8, octal(0o644, 8))
  field(108, 8, octal(0, 8))
  field(116, 8, octal(0, 8))
  field(124, 12, octal(content.length, 12))
  field(136, 12, octal(0, 12))
  field(148, 8, ' '.repeat(8))
  field(156, 1, '0')
  field(257, 8, 'ustar\u000000')
  const checksum = header.reduce((sum, byte) => sum + byte, 0)
  field(148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `)
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512)
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)])
}

function jsonBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value))
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex')
}
