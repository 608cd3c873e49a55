/**
 * The ECR repositories a manifest-hook config reads from and writes to, as IAM resource ARNs: the
 * function role gets pull on every `images[].from` repository and pull + push on every
 * `images[].target` one, and nothing on any other repository.
 */

/** IAM ARNs (wildcards where a template has `{arch}`), split by the access they need. */
export interface EcrRepositoryAccess {
  pull: string[]
  push: string[]
}

// Private ECR hosts: https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html
const ECR_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/

/** Walks `images[]` of a parsed config; hosts that are not private ECR are skipped. */
export function findEcrRepositories(config: unknown): EcrRepositoryAccess {
  const pull = new Set<string>()
  const push = new Set<string>()
  for (const image of imagesOf(config)) {
    const from = repositoryArn(image['from'])
    if (from) pull.add(from)
    const targets = Array.isArray(image['target']) ? image['target'] : [image['target']]
    for (const target of targets) {
      const arn = repositoryArn(target)
      if (arn) push.add(arn)
    }
  }
  return { pull: [...pull].filter((arn) => !push.has(arn)).sort(), push: [...push].sort() }
}

/** `<account>.dkr.ecr.<region>.amazonaws.com/org/app-{arch}:{version}` → `arn:aws:ecr:<region>:<account>:repository/org/app-*`. */
export function repositoryArn(reference: unknown): string | undefined {
  if (typeof reference !== 'string') return undefined
  const slash = reference.indexOf('/')
  if (slash < 0) return undefined
  const host = ECR_HOST.exec(reference.slice(0, slash))
  if (!host) return undefined
  const [, account, region] = host as unknown as [string, string, string]
  // The tag or digest is not part of the repository; `{arch}` may sit in the path, so the tag
  // separator is the first ':' or '@' after the last '/'.
  const path = reference.slice(slash + 1)
  const lastSlash = path.lastIndexOf('/')
  const tagAt = path.slice(lastSlash + 1).search(/[:@]/)
  const repository = tagAt < 0 ? path : path.slice(0, lastSlash + 1 + tagAt)
  return `arn:${partitionOf(region)}:ecr:${region}:${account}:repository/${repository.replace(/\{[^}]*\}/g, '*')}`
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn'
  if (region.startsWith('us-gov-')) return 'aws-us-gov'
  return 'aws'
}

function imagesOf(config: unknown): Record<string, unknown>[] {
  if (typeof config !== 'object' || config === null) return []
  const images = (config as Record<string, unknown>)['images']
  if (!Array.isArray(images)) return []
  return images.filter((image): image is Record<string, unknown> => typeof image === 'object' && image !== null)
}
