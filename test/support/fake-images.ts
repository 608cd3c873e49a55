/**
 * Deterministic fake images for tests: config and layer blobs, a Docker or OCI image manifest and,
 * optionally, a buildx-style OCI index with an attestation manifest; plus a helper to upload them.
 */
import { computeDigest } from '../../src/core/digest.ts'
import type { Descriptor } from '../../src/core/image-documents.ts'
import { MEDIA_TYPES } from '../../src/core/media-types.ts'
import type { Platform } from '../../src/core/platform.ts'
import type { FakeRegistry } from './fake-registry.ts'

/** Bytes plus their descriptor. */
export interface FakeBlob {
  descriptor: Descriptor
  bytes: Uint8Array
}

/** A built image: everything a registry needs to serve it. */
export interface FakeImage {
  platform: Platform
  config: FakeBlob
  layers: FakeBlob[]
  /** Descriptors of foreign (Windows base) layers: referenced, never uploaded. */
  foreignLayers: Descriptor[]
  manifest: FakeBlob
  attestation?: { manifest: FakeBlob; blobs: FakeBlob[] }
  /** The buildx-style index (image + attestation), present when `attestation` was requested. */
  index?: FakeBlob
}

/** What to build. */
export interface FakeImageSpec {
  platform: Platform
  seed: string
  format: 'docker' | 'oci'
  attestation?: boolean
  /** Windows: sets `os.version` and adds a foreign base layer. */
  osVersion?: string
  /** Extra config labels (e.g. org.opencontainers.image.source). */
  labels?: Record<string, string>
  /** How many layers (default 2). */
  layers?: number
}

const encoder = new TextEncoder()
const IN_TOTO = 'application/vnd.in-toto+json'

async function blob(mediaType: string, bytes: Uint8Array, extra: Partial<Descriptor> = {}): Promise<FakeBlob> {
  return { bytes, descriptor: { mediaType, digest: await computeDigest(bytes), size: bytes.byteLength, ...extra } }
}

const json = (value: unknown) => encoder.encode(JSON.stringify(value))

/** Builds a deterministic image for `spec.platform`; the same seed gives the same digests. */
export async function buildFakeImage(spec: FakeImageSpec): Promise<FakeImage> {
  const docker = spec.format === 'docker'
  const layerType = docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip'
  const layers = await Promise.all(Array.from({ length: spec.layers ?? 2 }, (_, i) => i).map((i) => blob(layerType, encoder.encode(`layer ${i} of ${spec.seed}`))))
  const foreignLayers = spec.osVersion ? [await foreignLayer(spec.seed)] : []
  const platform = spec.osVersion ? { ...spec.platform, osVersion: spec.osVersion } : spec.platform
  const config = await blob(
    docker ? MEDIA_TYPES.dockerConfig : MEDIA_TYPES.ociConfig,
    json({
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      ...(spec.osVersion ? { 'os.version': spec.osVersion } : {}),
      rootfs: { type: 'layers', diff_ids: [...foreignLayers, ...layers.map((l) => l.descriptor)].map((d) => d.digest) },
      config: { Labels: { seed: spec.seed, ...spec.labels } },
    }),
  )
  const manifestType = docker ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest
  const manifest = await blob(
    manifestType,
    json({
      schemaVersion: 2,
      mediaType: manifestType,
      config: config.descriptor,
      layers: [...foreignLayers, ...layers.map((l) => l.descriptor)],
    }),
  )
  const image: FakeImage = { platform, config, layers, foreignLayers, manifest }
  return spec.attestation ? addAttestation(image, spec.seed) : image
}

async function foreignLayer(seed: string): Promise<Descriptor> {
  const digest = await computeDigest(encoder.encode(`foreign base of ${seed}`))
  return { mediaType: MEDIA_TYPES.dockerForeignLayer, digest, size: 1024, urls: [`https://mcr.microsoft.test/${digest}`] } as Descriptor
}

// BuildKit's layout: https://docs.docker.com/build/metadata/attestations/attestation-storage/
async function addAttestation(image: FakeImage, seed: string): Promise<FakeImage> {
  const statement = await blob(IN_TOTO, json({ _type: 'https://in-toto.io/Statement/v0.1', seed }), {
    annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' },
  })
  const config = await blob(MEDIA_TYPES.ociConfig, json({ architecture: 'unknown', os: 'unknown', config: {} }))
  const manifest = await blob(
    MEDIA_TYPES.ociManifest,
    json({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: config.descriptor, layers: [statement.descriptor] }),
  )
  const index = await blob(
    MEDIA_TYPES.ociIndex,
    json({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: [
        { ...image.manifest.descriptor, platform: toJsonPlatform(image.platform) },
        {
          ...manifest.descriptor,
          platform: { architecture: 'unknown', os: 'unknown' },
          annotations: {
            'vnd.docker.reference.type': 'attestation-manifest',
            'vnd.docker.reference.digest': image.manifest.descriptor.digest,
          },
        },
      ],
    }),
  )
  return { ...image, attestation: { manifest, blobs: [config, statement] }, index }
}

function toJsonPlatform(platform: Platform): Record<string, unknown> {
  return {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    ...(platform.osVersion ? { 'os.version': platform.osVersion } : {}),
  }
}

/** Uploads an image's blobs and manifests into `repository` and tags the top manifest (index if any). */
export async function seedFakeImage(registry: FakeRegistry, repository: string, tag: string, image: FakeImage): Promise<string> {
  for (const item of [image.config, ...image.layers, ...(image.attestation?.blobs ?? [])]) {
    await registry.putBlob(repository, item.bytes)
  }
  const put = (item: FakeBlob, reference: string) =>
    registry.putManifest(repository, reference, item.bytes, item.descriptor.mediaType)
  await put(image.manifest, image.manifest.descriptor.digest)
  if (image.attestation) await put(image.attestation.manifest, image.attestation.manifest.descriptor.digest)
  const top = image.index ?? image.manifest
  return put(top, tag)
}

/** A referrer (a signature-like artifact) whose `subject` is `subject`. */
export interface FakeReferrer {
  manifest: FakeBlob
  blobs: FakeBlob[]
}

/** Builds an OCI artifact manifest (empty config, one layer) that refers to `subject`. */
export async function buildFakeReferrer(subject: Descriptor, seed: string, artifactType = 'application/vnd.example.signature.v1+json'): Promise<FakeReferrer> {
  const empty = await blob('application/vnd.oci.empty.v1+json', encoder.encode('{}'))
  const payload = await blob('application/vnd.example.signature.payload', encoder.encode(`signature ${seed} of ${subject.digest}`))
  const manifest = await blob(
    MEDIA_TYPES.ociManifest,
    json({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      artifactType,
      config: empty.descriptor,
      layers: [payload.descriptor],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    }),
    { artifactType },
  )
  return { manifest, blobs: [empty, payload] }
}

/** Uploads a referrer and records it in the referrers tag `sha256-<hex>` (the fake has no referrers API). */
export async function seedFakeReferrer(registry: FakeRegistry, repository: string, subjectDigest: string, referrer: FakeReferrer): Promise<void> {
  for (const item of referrer.blobs) await registry.putBlob(repository, item.bytes)
  await registry.putManifest(repository, referrer.manifest.descriptor.digest, referrer.manifest.bytes, MEDIA_TYPES.ociManifest)
  const tag = subjectDigest.replace(':', '-')
  const existing = registry.getManifest(repository, tag)
  const manifests = existing ? JSON.parse(new TextDecoder().decode(existing.bytes)).manifests : []
  const index = json({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [...manifests, referrer.manifest.descriptor] })
  await registry.putManifest(repository, tag, index, MEDIA_TYPES.ociIndex)
}
