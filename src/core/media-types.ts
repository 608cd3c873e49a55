/**
 * OCI and Docker media types and the predicates over them.
 * Pure: no I/O. Spec: https://github.com/opencontainers/image-spec/blob/main/media-types.md
 */

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  // Foreign (Windows base) layers may not be copied between repositories:
  // https://github.com/opencontainers/image-spec/blob/main/layer.md#non-distributable-layers
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const

/** Every manifest type we send in `Accept`, indexes first (registries may down-convert otherwise). */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
] as const

/** Returns true for an OCI image index or a Docker manifest list. */
export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList
}

/** Returns true for an OCI or Docker v2 image manifest. */
export function isImageManifestMediaType(mediaType: string | undefined): boolean {
  return mediaType === MEDIA_TYPES.ociManifest || mediaType === MEDIA_TYPES.dockerManifest
}

/** Returns true for any manifest type we understand (index or image). */
export function isManifestMediaType(mediaType: string | undefined): boolean {
  return isIndexMediaType(mediaType) || isImageManifestMediaType(mediaType)
}

/** Returns true for layers that must not be copied (foreign / non-distributable). */
export function isNonDistributable(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.dockerForeignLayer || mediaType.includes('.nondistributable.')
}
