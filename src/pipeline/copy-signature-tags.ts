/**
 * Copies cosign's tag-based signatures, attestations and SBOMs of a child (`sha256-<hex>.sig`,
 * `.att`, `.sbom` in its source repository) to a target under the same tag: cosign stores them as
 * tags, not as referrers, so the referrers copy does not see them.
 * Tag scheme: https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md
 */
import type { RepositoryName } from '../core/reference.ts'
import type { Deps } from '../deps.ts'
import type { Manifest } from '../registry/registry-client.ts'
import { formatReferrersTag } from '../registry/referrers.ts'
import { copyManifest } from './copy-child.ts'
import { NO_EARLY_WORK } from './early-work.ts'

const SIGNATURE_SUFFIXES = ['sig', 'att', 'sbom'] as const

/** Returns cosign's signature tags of `subject`: `sha256-<hex>.sig`, `.att`, `.sbom`. */
export function formatSignatureTags(subject: string): string[] {
  return SIGNATURE_SUFFIXES.map((suffix) => `${formatReferrersTag(subject)}.${suffix}`)
}

/**
 * Copies each signature tag of `subject` present in `source` to the `targets` where it is missing or
 * names another digest (cosign rewrites the tag when it adds a signature); returns how many tags were copied.
 * Costs one HEAD per suffix in the source, then one HEAD per found tag and target.
 */
export async function copySignatureTags(deps: Deps, source: RepositoryName, targets: RepositoryName[], subject: string): Promise<number> {
  if (targets.length === 0) return 0
  const found = await Promise.all(formatSignatureTags(subject).map(async (tag) => ({ tag, head: await deps.registry.headManifest(source, tag) })))
  const copies = found.flatMap(({ tag, head }) => {
    if (!head) return []
    // One GET of the source manifest per tag, shared by the targets that miss it.
    let manifest: Promise<Manifest> | undefined
    const read = () => (manifest ??= deps.registry.getManifest(source, head.digest))
    return targets.map(async (target) => {
      if ((await deps.registry.headManifest(target, tag))?.digest === head.digest) return 0
      await copyManifest(deps, source, target, await read(), NO_EARLY_WORK, tag)
      return 1
    })
  })
  return (await Promise.all(copies)).reduce<number>((sum, n) => sum + n, 0)
}
