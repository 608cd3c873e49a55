/**
 * Resident memory and CPU time of another process, read from /proc (Linux), RSS sampled on a timer:
 * the bench's "RSS under load" and CPU per delivery, and the bounded-memory assertions of the copy tests.
 */
import { readFileSync } from 'node:fs'

/**
 * What a sampler saw: the highest and the last RSS, in bytes, and how many samples it took.
 * `peakAnonBytes` is the highest private (anonymous) part: RSS also counts the pages of the node
 * executable it has touched, file-backed and shared with every other node process.
 */
export interface RssSummary {
  peakBytes: number
  peakAnonBytes: number
  lastBytes: number
  samples: number
}

/** A running sampler. */
export interface RssSampler {
  /** The summary so far (the sampler keeps running). */
  peek(): RssSummary
  /** Stops sampling and returns the summary. */
  stop(): RssSummary
}

/** Returns the resident set size of `pid` in bytes (VmRSS), or undefined when it has exited. */
export function readRssBytes(pid: number): number | undefined {
  return readMemory(pid)?.rss
}

/** Returns VmRSS and its anonymous part (RssAnon) of `pid` in bytes, or undefined when it has exited. */
export function readMemory(pid: number): { rss: number; anon: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024
    const memory = { rss: field('VmRSS'), anon: field('RssAnon') }
    return Number.isNaN(memory.rss) ? undefined : memory
  } catch {
    return undefined
  }
}

/** Samples the RSS of `pid` every `intervalMs` until stopped. */
export function startRssSampler(pid: number, intervalMs = 25): RssSampler {
  const summary: RssSummary = { peakBytes: 0, peakAnonBytes: 0, lastBytes: 0, samples: 0 }
  const sample = () => {
    const memory = readMemory(pid)
    if (memory === undefined) return
    summary.samples++
    summary.lastBytes = memory.rss
    summary.peakBytes = Math.max(summary.peakBytes, memory.rss)
    summary.peakAnonBytes = Math.max(summary.peakAnonBytes, memory.anon)
  }
  sample()
  const timer = setInterval(sample, intervalMs)
  timer.unref()
  return {
    peek: () => ({ ...summary }),
    stop: () => {
      clearInterval(timer)
      sample()
      return { ...summary }
    },
  }
}

// /proc/<pid>/stat counts CPU time in USER_HZ ticks, 100 per second on Linux (man 5 proc).
const TICKS_PER_SECOND = 100

/** Returns the CPU time (user + system, all threads) `pid` has used so far, in milliseconds. */
export function readCpuMs(pid: number): number | undefined {
  try {
    // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

/** Formats bytes as mebibytes with one decimal. */
export function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
