// The ContainerRuntime contract as a test suite both runtimes run (the simulated one in
// simulated/simulated.test.ts, the Docker one beside its own code): create, start, a process
// that exits shows up as exited with its exit code, stop (graceful, and SIGKILL after the
// timeout), remove, list, exec (buffered and streamed), logs, stats, close, and ImagePullError. It is parameterised by
// how to script a container's behaviour, because the simulated runtime reads a script from the
// environment and Docker runs a real command.
// Usage: runtimeContract('simulated', () => Promise.resolve(new SimulatedRuntime()), { ... })

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { ContainerNotFoundError, ImagePullError, NotSupportedError, type ContainerConfig, type ContainerRuntime, type ContainerStatus } from './runtime.js'

/** What makes a container behave a certain way on a given runtime. */
export type Script = Pick<ContainerConfig, 'command' | 'args' | 'env'>

export interface ContractOptions {
  /** An image that can be pulled and run. */
  image: string
  /** An image reference whose pull fails. */
  missingImage: string
  scripts: {
    /** Runs until stopped, and exits promptly on SIGTERM. */
    runs(): Script
    /** Exits by itself after about `ms` with `code`. */
    exitsAfter(ms: number, code: number): Script
    /**
     * Prints `line` to stdout, then runs until stopped; once the line is printed it exits
     * promptly on SIGTERM (a shell that is PID 1 ignores SIGTERM until its trap is set).
     */
    printsThenRuns(line: string): Script
    /** Runs and ignores SIGTERM (only SIGKILL ends it). */
    ignoresSigterm(): Script
  }
  exec: {
    /** A command that exits 0. */
    succeeds: string[]
    /** A command that exits non-zero. */
    fails: string[]
    /** A command that prints `text` and exits 0. */
    echo(text: string): string[]
    /** A command that copies its stdin to stdout (a runtime may refuse stdin with NotSupportedError). */
    cat: string[]
  }
  /** Upper bound for asynchronous changes (a process exiting, a container starting). */
  timeoutMs?: number
}

async function within<T>(timeoutMs: number, what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (performance.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

export function runtimeContract(name: string, make: () => Promise<ContainerRuntime>, opts: ContractOptions): void {
  const timeout = opts.timeoutMs ?? 5_000

  describe(`ContainerRuntime contract: ${name}`, () => {
    let rt: ContainerRuntime
    before(async () => {
      rt = await make()
      await rt.pullImage(opts.image)
    })
    after(async () => {
      await rt.close()
    })

    const config = (script: Script, podUid: string = randomUUID(), name = 'app'): ContainerConfig => ({
      podUid,
      podName: `pod-${podUid.slice(0, 8)}`,
      podNamespace: 'contract',
      name,
      image: opts.image,
      podIP: '127.0.0.1',
      attempt: 0,
      ...script,
    })

    const statusOf = async (id: string): Promise<ContainerStatus | undefined> => (await rt.listContainers()).find((c) => c.id === id)

    const running = async (script: Script, podUid?: string): Promise<string> => {
      const id = await rt.createContainer(config(script, podUid))
      await rt.startContainer(id)
      await within(timeout, 'the container to run', async () => ((await statusOf(id))?.state === 'running' ? true : undefined))
      return id
    }

    it('names itself, reports a scheme://version and is ready', async () => {
      assert.ok(rt.name.length > 0)
      assert.match(await rt.version(), /^[a-z0-9-]+:\/\/\S+$/)
      assert.deepEqual((await rt.status()).ready, true)
    })

    it('pulls an image idempotently', async () => {
      const a = await rt.pullImage(opts.image)
      const b = await rt.pullImage(opts.image)
      assert.ok(a.imageId)
      assert.equal(a.imageId, b.imageId)
    })

    it('fails to pull an image that cannot be had with ImagePullError', async () => {
      await assert.rejects(rt.pullImage(opts.missingImage), (e: unknown) => e instanceof ImagePullError && e.image === opts.missingImage)
    })

    it('creates a container that is created, not running, then starts it', async () => {
      const id = await rt.createContainer(config(opts.scripts.runs()))
      const created = await statusOf(id)
      assert.equal(created?.state, 'created')
      assert.equal(created?.name, 'app')
      assert.equal(created?.attempt, 0)
      await rt.startContainer(id)
      const s = await within(timeout, 'running', async () => {
        const st = await statusOf(id)
        return st?.state === 'running' ? st : undefined
      })
      assert.ok(s.startedAt, 'startedAt is set')
      await rt.stopContainer(id, 5)
      await rt.removeContainer(id)
    })

    it('shows a process that exits by itself as exited, with its exit code', async () => {
      const ok = await running(opts.scripts.exitsAfter(200, 0))
      const bad = await running(opts.scripts.exitsAfter(200, 3))
      const okDone = await within(timeout, 'exit 0', async () => ((await statusOf(ok))?.state === 'exited' ? statusOf(ok) : undefined))
      const badDone = await within(timeout, 'exit 3', async () => ((await statusOf(bad))?.state === 'exited' ? statusOf(bad) : undefined))
      assert.equal(okDone?.exitCode, 0)
      assert.equal(badDone?.exitCode, 3)
      assert.ok(badDone?.finishedAt)
      for (const id of [ok, bad]) await rt.removeContainer(id)
    })

    it('stops a running container promptly when it honours SIGTERM', async () => {
      // waits for the line that says the process handles SIGTERM: a stop that arrived before
      // (a loaded machine) would be ignored by PID 1 and wait out the timeout
      const id = await running(opts.scripts.printsThenRuns('handles SIGTERM'))
      await within(timeout, 'the SIGTERM handler', async () => ((await rt.logs(id)).includes('handles SIGTERM') ? true : undefined))
      const t0 = performance.now()
      await rt.stopContainer(id, 10)
      assert.ok(performance.now() - t0 < 5_000, 'stopped well before the 10s timeout')
      assert.equal((await statusOf(id))?.state, 'exited')
      await rt.removeContainer(id)
    })

    it('kills a container that ignores SIGTERM once the timeout has passed', async () => {
      const id = await running(opts.scripts.ignoresSigterm())
      const t0 = performance.now()
      await rt.stopContainer(id, 1)
      const took = performance.now() - t0
      assert.ok(took >= 900, `waited the 1s timeout (took ${took.toFixed(0)} ms)`)
      assert.ok(took < 1_000 + timeout, `then killed it (took ${took.toFixed(0)} ms)`)
      assert.equal((await statusOf(id))?.state, 'exited')
      await rt.removeContainer(id)
    })

    it('treats stopping an exited container as a no-op', async () => {
      const id = await running(opts.scripts.exitsAfter(50, 0))
      await within(timeout, 'exit', async () => ((await statusOf(id))?.state === 'exited' ? true : undefined))
      await rt.stopContainer(id, 1)
      assert.equal((await statusOf(id))?.exitCode, 0)
      await rt.removeContainer(id)
    })

    it('removes a stopped container, and refuses unknown ids with ContainerNotFoundError', async () => {
      const id = await running(opts.scripts.runs())
      await rt.stopContainer(id, 5)
      await rt.removeContainer(id)
      assert.equal(await statusOf(id), undefined)
      await assert.rejects(rt.removeContainer(id), ContainerNotFoundError)
      await assert.rejects(rt.stopContainer('no-such-container', 1), ContainerNotFoundError)
    })

    it('lists containers, filtered by pod', async () => {
      const pod = randomUUID()
      const a = await rt.createContainer(config(opts.scripts.runs(), pod, 'a'))
      const b = await rt.createContainer(config(opts.scripts.runs(), pod, 'b'))
      const other = await rt.createContainer(config(opts.scripts.runs()))
      const mine = await rt.listContainers({ podUid: pod })
      assert.deepEqual(mine.map((c) => c.name).sort(), ['a', 'b'])
      assert.ok(mine.every((c) => c.podUid === pod))
      assert.ok((await rt.listContainers()).some((c) => c.id === other))
      for (const id of [a, b, other]) await rt.removeContainer(id)
    })

    it('execs commands in a running container without throwing for a non-zero exit', async () => {
      const id = await running(opts.scripts.runs())
      assert.equal((await rt.exec(id, opts.exec.succeeds)).exitCode, 0)
      assert.notEqual((await rt.exec(id, opts.exec.fails)).exitCode, 0)
      const echo = await rt.exec(id, opts.exec.echo('hello from exec'))
      assert.equal(echo.exitCode, 0)
      assert.match(echo.stdout, /hello from exec/)
      await rt.stopContainer(id, 5)
      await rt.removeContainer(id)
    })

    it('streams an exec: output as the stream ends, the exit code after; stdin echoed through or refused', async () => {
      const id = await running(opts.scripts.runs())
      const read = async (s: NodeJS.ReadableStream | undefined): Promise<string> => {
        let text = ''
        for await (const c of s ?? []) text += String(c)
        return text
      }
      const echo = await rt.execStream(id, opts.exec.echo('streamed'), { stdin: false, stdout: true, stderr: true, tty: false })
      assert.match(await read(echo.stdout), /streamed/)
      assert.equal(await echo.exitCode, 0)
      const failed = await rt.execStream(id, opts.exec.fails, { stdin: false, stdout: true, stderr: true, tty: false })
      await Promise.all([read(failed.stdout), read(failed.stderr)])
      assert.notEqual(await failed.exitCode, 0)
      try {
        const cat = await rt.execStream(id, opts.exec.cat, { stdin: true, stdout: true, stderr: false, tty: false })
        cat.stdin!.write('in and out\n')
        cat.stdin!.end()
        assert.equal(await read(cat.stdout), 'in and out\n')
        assert.equal(await cat.exitCode, 0)
      } catch (e) {
        assert.ok(e instanceof NotSupportedError, String(e))
        assert.match(e.message, /not supported by/)
      }
      await rt.stopContainer(id, 5)
      await rt.removeContainer(id)
    })

    it('keeps what the container printed as its logs', async () => {
      const id = await running(opts.scripts.printsThenRuns('ready to serve'))
      const logs = await within(timeout, 'the log line', async () => {
        const l = await rt.logs(id)
        return l.includes('ready to serve') ? l : undefined
      })
      assert.match(logs, /ready to serve/)
      assert.match(await rt.logs(id, { tailLines: 1 }), /ready to serve/)
      await rt.stopContainer(id, 5)
      await rt.removeContainer(id)
    })

    it('reports resource use of a running container', async () => {
      const id = await running(opts.scripts.runs())
      const s = await rt.stats(id)
      assert.ok(Number.isFinite(s.cpuMillis) && s.cpuMillis >= 0)
      assert.ok(Number.isFinite(s.cpuUsageCoreSeconds) && s.cpuUsageCoreSeconds >= 0)
      assert.ok(Number.isFinite(s.memoryBytes) && s.memoryBytes > 0)
      assert.ok(!Number.isNaN(Date.parse(s.timestamp)))
      // the CPU counter only grows
      const again = await rt.stats(id)
      assert.ok(again.cpuUsageCoreSeconds >= s.cpuUsageCoreSeconds, `${again.cpuUsageCoreSeconds} >= ${s.cpuUsageCoreSeconds}`)
      await rt.stopContainer(id, 5)
      await rt.removeContainer(id)
    })

    it('close() removes everything it created and can be called twice', async () => {
      const own = await make()
      await own.pullImage(opts.image)
      const id = await own.createContainer(config(opts.scripts.runs()))
      await own.startContainer(id)
      await own.close()
      await own.close()
      // a closed runtime either refuses calls or has nothing left
      const left = await own.listContainers().catch(() => [])
      assert.equal(
        left.some((c) => c.id === id),
        false,
      )
    })
  })
}
