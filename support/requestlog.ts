// What the test app answered, as its own log tells it: busybox httpd -vv logs every request as
// "<client>: url:<path>" then "<client>: response:<code>" (client = ip:port, one connection per
// request). Read from the container's own log (pods/log, `previous` for the container a pod
// was restarted from; the engine's `docker logs` as an extra on the reference target), so a
// scenario can count the probes a container really failed before the kubelet killed it.

/** The status codes the app answered for `path`, oldest first ("error" when no response was logged). */
export function answersFor(log: string, path: string): number[] {
  const asked = new Map<string, string>()
  const out: { client: string; code?: number }[] = []
  for (const line of log.split('\n')) {
    const m = /^(\S+): (url|response):(\S+)/.exec(line.trim())
    if (!m) continue
    const [, client, kind, value] = m
    if (kind === 'url') {
      asked.set(client!, value!.split('?')[0]!)
      if (value!.split('?')[0] === path) out.push({ client: client! })
    } else if (asked.get(client!) === path) {
      const open = out.findLast((r) => r.client === client && r.code === undefined)
      if (open) open.code = Number(value)
      asked.delete(client!)
    }
  }
  return out.filter((r) => r.code !== undefined).map((r) => r.code!)
}

export const failed = (code: number): boolean => code < 200 || code >= 400

/** How many answers at the end of `codes` are failures. */
export function trailingFailures(codes: readonly number[]): number {
  let n = 0
  for (let i = codes.length - 1; i >= 0 && failed(codes[i]!); i--) n++
  return n
}

/** The longest run of failures in `codes`. */
export function longestFailureRun(codes: readonly number[]): number {
  let best = 0
  let run = 0
  for (const c of codes) {
    run = failed(c) ? run + 1 : 0
    best = Math.max(best, run)
  }
  return best
}
