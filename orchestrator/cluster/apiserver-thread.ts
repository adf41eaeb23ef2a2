// Runs an API server (with its memory store) in a worker thread of this process, so it has a
// core of its own while the scheduler, controllers and clients run on the main thread. Used
// by the scheduler benchmark; the same server code as in-process, reached over HTTPS.
// The worker's incidents (host/guard.ts) are recorded in this process's incident log too.
// Simplifies: no trace reading across the thread (read it over /debug/trace as any client).

import { Worker } from 'node:worker_threads'
import type { ApiServerWorkerData } from './apiserver-worker.js'
import { recordIncident, type Incident } from '../host/guard.js'

export interface ApiServerThread {
  url: string
  /** CPU time the API server's thread has used so far. */
  cpuSeconds(): Promise<number>
  stop(): Promise<void>
}

export async function startApiServerThread(data: ApiServerWorkerData): Promise<ApiServerThread> {
  const worker = new Worker(new URL('./apiserver-worker.ts', import.meta.url), { workerData: data })
  worker.on('message', (m: { type: string; incident?: Incident }) => {
    if (m.type === 'incident' && m.incident)
      recordIncident({ kind: m.incident.kind, source: `apiserver worker: ${m.incident.source}`, message: m.incident.message, stack: m.incident.stack })
  })
  const next = (type: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: Record<string, unknown>): void => {
        if (m.type === 'error') {
          worker.off('message', onMessage)
          reject(new Error(String(m.message)))
        } else if (m.type === type) {
          worker.off('message', onMessage)
          resolve(m)
        }
      }
      worker.on('message', onMessage)
      worker.once('error', reject)
    })
  const started = await next('started')
  return {
    url: String(started.url),
    cpuSeconds: async () => {
      const answer = next('cpu')
      worker.postMessage({ type: 'cpu' })
      return Number((await answer).seconds)
    },
    stop: async () => {
      const stopped = next('stopped')
      worker.postMessage({ type: 'stop' })
      await stopped
      await worker.terminate()
    },
  }
}
