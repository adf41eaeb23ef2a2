// Interactive exec, attach and port-forward on the Docker runtime, as dockershim streamed them:
// the engine's exec and attach APIs over a hijacked HTTP connection (POST /exec/<id>/start and
// /containers/<id>/attach with `Upgrade: tcp`), where what is written is the process's stdin,
// ending the write side closes it (CloseWrite, as `docker exec -i` does), and what is read is its
// output: raw with a TTY, otherwise multiplexed into 8-byte-headed stdout/stderr frames, split
// here as they arrive. Resizes go to /exec/<id>/resize and /containers/<id>/resize; the exit code
// comes from inspecting the exec once its stream has ended. Port-forward connects to podIP:port:
// containers share the host's network namespace and bind their pod IP (dockershim ran socat in
// the pod's namespace instead). Simplifies: no idle timeout on a session.

import { connect } from 'node:net'
import { PassThrough, type Duplex } from 'node:stream'
import type { StreamOptions, StreamSession, TerminalSize } from '../runtime.js'
import type { Dockerode } from './engine.js'

/**
 * Splits Docker's multiplexed stream (stdcopy: [type, 0, 0, 0, size uint32 BE] + payload) as it
 * arrives: push chunks of any size, get whole payloads for stdout (type 0 = stdin echo and 1) and
 * stderr (2). Returns the bytes it could not place yet.
 */
export class Demuxer {
  private pending: Buffer = Buffer.alloc(0)

  constructor(private readonly sink: (stream: 'stdout' | 'stderr', payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4)
      if (this.pending.length < 8 + size) break
      const payload = this.pending.subarray(8, 8 + size)
      if (size) this.sink(this.pending[0] === 2 ? 'stderr' : 'stdout', payload)
      this.pending = this.pending.subarray(8 + size)
    }
  }
}

/** Strips Docker's 8-byte stream headers from a non-TTY log or exec buffer. */
export function demux(buf: Buffer): { stdout: string; stderr: string; combined: string } {
  const out: Buffer[] = []
  const err: Buffer[] = []
  const all: Buffer[] = []
  let i = 0
  while (i + 8 <= buf.length) {
    const type = buf[i]!
    const size = buf.readUInt32BE(i + 4)
    if (type > 2 || buf[i + 1] !== 0 || buf[i + 2] !== 0 || buf[i + 3] !== 0) {
      // not multiplexed after all (a TTY container): everything is output
      return { stdout: buf.toString('utf8'), stderr: '', combined: buf.toString('utf8') }
    }
    const chunk = buf.subarray(i + 8, i + 8 + size)
    ;(type === 2 ? err : out).push(chunk)
    all.push(chunk)
    i += 8 + size
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), combined: Buffer.concat(all).toString('utf8') }
}

interface Hijacked {
  socket: Duplex
  resize(size: TerminalSize): Promise<void>
  exitCode(): Promise<number | undefined>
  tty: boolean
}

/** Turns a hijacked engine connection into a StreamSession. */
function session(h: Hijacked, opts: StreamOptions): StreamSession {
  const { socket } = h
  const stdout = opts.stdout || h.tty ? new PassThrough() : undefined
  const stderr = opts.stderr && !h.tty ? new PassThrough() : undefined
  const demux = new Demuxer((which, payload) => (which === 'stderr' ? stderr : stdout)?.write(payload))
  socket.on('data', (chunk: Buffer) => (h.tty ? stdout?.write(chunk) : demux.push(chunk)))
  let ended!: () => void
  const finished = new Promise<void>((resolve) => (ended = resolve))
  const finish = (): void => {
    stdout?.end()
    stderr?.end()
    ended()
  }
  socket.once('end', finish)
  socket.once('close', finish)
  socket.on('error', finish)
  let stdin: PassThrough | undefined
  if (opts.stdin) {
    stdin = new PassThrough()
    stdin.on('error', () => undefined)
    stdin.on('data', (chunk: Buffer) => socket.writable && socket.write(chunk))
    // the client closed its stdin: half-close, so the process reads EOF and output still flows
    stdin.once('end', () => socket.writable && socket.end())
  } else {
    socket.end()
  }
  return {
    stdin,
    stdout,
    stderr,
    resize: (size) => h.resize(size).catch(() => undefined),
    exitCode: finished.then(() => h.exitCode()),
    close: () => socket.destroy(),
  }
}

/** An exec in a running container, streamed (docker exec -i [-t]). */
export async function execStream(docker: Dockerode, id: string, command: string[], opts: StreamOptions): Promise<StreamSession> {
  const exec = await docker.getContainer(id).exec({
    Cmd: command,
    AttachStdin: opts.stdin,
    AttachStdout: opts.stdout || opts.tty,
    AttachStderr: opts.stderr && !opts.tty,
    Tty: opts.tty,
  })
  const socket = (await exec.start({ hijack: true, stdin: true, Tty: opts.tty } as never)) as unknown as Duplex
  const exitCode = async (): Promise<number | undefined> => {
    // the stream ends as the process exits; the engine records the code a moment later
    for (let i = 0; i < 50; i++) {
      const info = await exec.inspect()
      if (!info.Running) return info.ExitCode ?? undefined
      await new Promise((r) => setTimeout(r, 20))
    }
    return (await exec.inspect()).ExitCode ?? undefined
  }
  return session({ socket, tty: opts.tty, resize: (s) => exec.resize({ h: s.height, w: s.width }), exitCode }, opts)
}

/** Attaches to a running container's main process (docker attach). */
export async function attach(docker: Dockerode, id: string, opts: StreamOptions): Promise<StreamSession> {
  const container = docker.getContainer(id)
  const info = await container.inspect()
  const tty = Boolean(info.Config?.Tty)
  const stdin = opts.stdin && Boolean(info.Config?.OpenStdin)
  const socket = (await container.attach({ stream: true, stdin, stdout: opts.stdout || tty, stderr: opts.stderr, hijack: true } as never)) as unknown as Duplex
  return session(
    { socket, tty, resize: (s) => container.resize({ h: s.height, w: s.width }) as Promise<unknown> as Promise<void>, exitCode: async () => undefined },
    { ...opts, stdin },
  )
}

/** A TCP connection to podIP:port (the pod's containers bind their pod IP on the host's loopback). */
export function portForward(podIP: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: podIP, port })
    socket.once('connect', () => {
      socket.off('error', reject)
      resolve(socket)
    })
    socket.once('error', reject)
  })
}
