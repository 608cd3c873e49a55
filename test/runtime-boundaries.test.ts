// Runtime boundaries: no Node-only module or global outside the Node-based runtimes (src/runtime/node/,
// src/runtime/lambda/: Lambda runs Node.js) and the SQLite store,
// so the Lambda and Workers bundles can import the rest (folder rules: boundaries.test.ts). Read
// with the TypeScript compiler API: imports by their module specifier, globals by the symbol the
// checker resolves (a local variable named `process` is not the global; `globalThis.process` is).
import { builtinModules } from 'node:module'
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..')
const ALLOWED = [/^src\/runtime\/node\//, /^src\/runtime\/lambda\//, /^src\/state\/sqlite-store\.ts$/]
// Globals that only Node declares (web-standard ones such as fetch or setTimeout are fine).
const NODE_GLOBALS = new Set(['process', 'Buffer', 'setImmediate', 'clearImmediate', 'global', 'require', 'module', 'exports', '__dirname', '__filename'])
// Packages that only run on Node.
const NODE_PACKAGES = new Set(['undici', '@hono/node-server', 'better-sqlite3'])

function isNodeModule(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier) || NODE_PACKAGES.has(specifier)
}

/** Every Node-only import and global a source file uses, as `line: what`. */
function findNodeOnlyUses(program: ts.Program, file: ts.SourceFile): string[] {
  const checker = program.getTypeChecker()
  const found: string[] = []
  const at = (node: ts.Node) => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1
  const visit = (node: ts.Node): void => {
    const specifier =
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)
        ? node.moduleSpecifier.text
        : ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])
          ? node.arguments[0].text
          : undefined
    if (specifier !== undefined && isNodeModule(specifier)) found.push(`${at(node)}: import ${specifier}`)
    if (ts.isIdentifier(node) && NODE_GLOBALS.has(node.text)) {
      const declarations = checker.getSymbolAtLocation(node)?.declarations ?? []
      // The global itself: declared in @types/node, not in this program's own sources.
      if (declarations.length > 0 && declarations.every((d) => d.getSourceFile().fileName.includes('/node_modules/@types/node/'))) found.push(`${at(node)}: global ${node.text}`)
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return found
}

function createProgram(files: string[], extra: Record<string, string> = {}): ts.Program {
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'], types: ['node'], allowImportingTsExtensions: true, noEmit: true, skipLibCheck: true }
  const host = ts.createCompilerHost(options)
  const read = host.readFile.bind(host)
  const exists = host.fileExists.bind(host)
  host.readFile = (name) => extra[name] ?? read(name)
  host.fileExists = (name) => name in extra || exists(name)
  host.getSourceFile = ((original) => (name, version) => name in extra ? ts.createSourceFile(name, extra[name] as string, version) : original(name, version))(host.getSourceFile.bind(host))
  return ts.createProgram([...files, ...Object.keys(extra)], options, host)
}

function listSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name))
}

const PROBE = join(ROOT, 'src', '__probe__.ts')
const PROBE_TEXT = [
  "import { readFileSync } from 'node:fs'",
  "import { join } from 'path'",
  "export { request } from 'undici'",
  'export const env = process.env.HOME',
  'export const bytes = Buffer.from(join(readFileSync("x", "utf8")))',
  'setImmediate(() => undefined)',
  'export function local(process: { env: string }) { return process.env }',
  'export const web = [setTimeout, fetch, new URL("http://x"), globalThis.structuredClone]',
  "export const lazy = () => import('node:crypto')",
].join('\n')

describe('runtime boundaries', () => {
  // One program over every source file and the probe (building it is the slow part).
  const files = listSources(join(ROOT, 'src'))
  const program = createProgram(files, { [PROBE]: PROBE_TEXT })
  const usesOf = (file: string) => findNodeOnlyUses(program, program.getSourceFile(file) as ts.SourceFile)
  const isAllowed = (file: string) => ALLOWED.some((allowed) => allowed.test(relative(ROOT, file)))

  it('finds Node-only imports and globals, and not look-alikes', () => {
    expect(usesOf(PROBE)).toEqual(['1: import node:fs', '2: import path', '3: import undici', '4: global process', '5: global Buffer', '6: global setImmediate', '9: import node:crypto'])
  })

  it('src/ uses no Node-only module or global outside runtime/node/ and the SQLite store', () => {
    const checked = files.filter((file) => !isAllowed(file))
    expect(checked.length).toBeGreaterThan(80)
    expect(checked.flatMap((file) => usesOf(file).map((use) => `${relative(ROOT, file)}:${use}`))).toEqual([])
    // The exceptions are real: the SQLite store and the Node runtime use Node.
    expect(usesOf(join(ROOT, 'src/state/sqlite-store.ts')).map((use) => use.replace(/^\d+: /, ''))).toEqual(['import node:fs', 'import node:path', 'import node:sqlite', 'global setImmediate'])
    const nodeRuntime = files.filter((file) => relative(ROOT, file).startsWith('src/runtime/node/')).flatMap(usesOf).map((use) => use.replace(/^\d+: /, ''))
    expect(nodeRuntime).toContain('global process')
    expect(nodeRuntime).toContain('import node:fs')
  })
})
