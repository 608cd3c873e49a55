// The configuration the workers test project runs its Worker with (MANIFEST_HOOK_CONFIG, set in
// vitest.config.ts): the scenario's two images on the fake registry's host, an image whose
// arches have many layers (more registry requests than one invocation may make on Free), and a
// four-arch image for bursts of concurrent deliveries.
export const HOST = 'registry.test'
export const TOKEN = 's3cret'
export const ADMIN_TOKEN = 'admin-token'

export const WORKERS_TEST_CONFIG = {
  registries: { [HOST]: {} },
  sources: { distribution: { token: TOKEN } },
  server: { adminToken: ADMIN_TOKEN, sweepIntervalSeconds: 60 },
  images: [
    { target: `${HOST}/demo/app`, from: `${HOST}/demo/app-{arch}:{version}`, platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] },
    { target: `${HOST}/demo/suffix`, from: `${HOST}/demo/suffix:{version}-{arch}`, platforms: ['linux/amd64', 'linux/arm64'] },
    { target: `${HOST}/demo/big`, from: `${HOST}/demo/big-{arch}:{version}`, platforms: ['linux/amd64', 'linux/arm64'] },
    { target: `${HOST}/demo/burst`, from: `${HOST}/demo/burst-{arch}:{version}`, platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/ppc64le'] },
  ],
}
