import { describe, expect, it } from 'vitest'
import { findEcrRepositories, repositoryArn } from '../lib/ecr-repositories.ts'

const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'

describe('repositoryArn', () => {
  it('drops the tag and turns placeholders in the path into wildcards', () => {
    expect(repositoryArn(`${HOST}/org/app-{arch}:{version}`)).toBe('arn:aws:ecr:eu-west-1:123456789012:repository/org/app-*')
    expect(repositoryArn(`${HOST}/org/app:{version}-{arch}`)).toBe('arn:aws:ecr:eu-west-1:123456789012:repository/org/app')
    expect(repositoryArn(`${HOST}/app`)).toBe('arn:aws:ecr:eu-west-1:123456789012:repository/app')
    expect(repositoryArn(`${HOST}/org/app@sha256:${'a'.repeat(64)}`)).toBe('arn:aws:ecr:eu-west-1:123456789012:repository/org/app')
  })

  it('names the partition from the region', () => {
    expect(repositoryArn('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app')).toBe('arn:aws-cn:ecr:cn-north-1:123456789012:repository/app')
    expect(repositoryArn('123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/app')).toBe('arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/app')
  })

  it('is undefined for other registries and for a bare host', () => {
    expect(repositoryArn('ghcr.io/org/app:{version}-{arch}')).toBeUndefined()
    expect(repositoryArn('public.ecr.aws/org/app')).toBeUndefined()
    expect(repositoryArn('12345.dkr.ecr.eu-west-1.amazonaws.com/app')).toBeUndefined()
    expect(repositoryArn(HOST)).toBeUndefined()
    expect(repositoryArn(42)).toBeUndefined()
  })
})

describe('findEcrRepositories', () => {
  it('gives pull on sources and push on targets, a target that is also a source once, sorted', () => {
    const config = {
      images: [
        { target: `${HOST}/org/app`, from: `${HOST}/org/app:{version}-{arch}`, platforms: [] },
        { target: [`${HOST}/org/tool`, 'ghcr.io/org/tool'], from: `${HOST}/org/tool-{arch}:{version}`, platforms: [] },
        { target: 'docker.io/org/x', from: 'docker.io/org/x-{arch}:{version}', platforms: [] },
      ],
    }
    expect(findEcrRepositories(config)).toEqual({
      pull: ['arn:aws:ecr:eu-west-1:123456789012:repository/org/tool-*'],
      push: ['arn:aws:ecr:eu-west-1:123456789012:repository/org/app', 'arn:aws:ecr:eu-west-1:123456789012:repository/org/tool'],
    })
  })

  it('finds nothing without images', () => {
    expect(findEcrRepositories(undefined)).toEqual({ pull: [], push: [] })
    expect(findEcrRepositories({ images: 'no' })).toEqual({ pull: [], push: [] })
  })
})
