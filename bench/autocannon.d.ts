// The part of autocannon's programmatic API the bench uses (the package ships no types).
// https://github.com/mcollina/autocannon#api
declare module 'autocannon' {
  interface Options {
    url: string
    method?: string
    headers?: Record<string, string>
    body?: string
    connections?: number
    /** Requests per second across all connections (paced load). */
    overallRate?: number
    duration?: number
    amount?: number
    pipelining?: number
    idReplacement?: boolean
    timeout?: number
  }
  interface Histogram {
    average: number
    p50: number
    p99: number
    max: number
    total: number
  }
  interface Result {
    duration: number
    requests: Histogram
    latency: Histogram
    errors: number
    timeouts: number
    non2xx: number
    '2xx': number
  }
  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
