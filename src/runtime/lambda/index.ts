/**
 * The Lambda entry point (dist/lambda/index.mjs, handler `index.handler`): the runtime is
 * created at init, but reads its configuration, secrets and table on the first invocation, so
 * that a configuration error is reported per request instead of failing the function's init.
 */
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLambdaHandler } from './lambda-handler.ts'
import { createLambdaRuntime } from './lambda-runtime.ts'

export const handler = createLambdaHandler(createLambdaRuntime({ env: process.env, bundleDir: dirname(fileURLToPath(import.meta.url)) }))
