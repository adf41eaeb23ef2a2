// Worker-thread entry of an API server (with its memory store): lets a process use a second
// core for the API server while components run on the main thread. Started by
// apiserver-thread.ts; talks to its parent only to report its URL, its CPU time, its incidents
// (host/guard.ts: the thread keeps serving after an unhandled rejection, and the parent's
// incident log hears of it), and to stop.

import { parentPort, workerData } from 'node:worker_threads'
import { ApiServer } from '../apiserver/server.js'
import type { TraceOptions } from '../apiserver/trace.js'
import { MemoryStore } from '../store/memory.js'
import { installProcessGuard, onIncident } from '../host/guard.js'

export interface ApiServerWorkerData {
  caPem: string
  serving: { certPem: string; keyPem: string }
  host?: string
  trace?: TraceOptions
}

installProcessGuard('apiserver worker')
onIncident((incident) => parentPort!.postMessage({ type: 'incident', incident }))

const data = workerData as ApiServerWorkerData
const store = new MemoryStore()
const server = new ApiServer({ name: 'apiserver-0', host: data.host, store, caPem: data.caPem, serving: data.serving, trace: data.trace })

parentPort!.on('message', (m: { type: string }) => {
  if (m.type === 'cpu') {
    const c = process.threadCpuUsage()
    parentPort!.postMessage({ type: 'cpu', seconds: (c.user + c.system) / 1e6 })
  } else if (m.type === 'stop') {
    void server
      .stop()
      .then(() => store.close())
      .then(() => parentPort!.postMessage({ type: 'stopped' }))
  }
})

server.start().then(
  (url) => parentPort!.postMessage({ type: 'started', url }),
  (e: unknown) => parentPort!.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
)
