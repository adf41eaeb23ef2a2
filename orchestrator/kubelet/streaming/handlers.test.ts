// The kubelet's streaming endpoints end to end on a real TLS server, with a fake runtime: exec
// over WebSocket v5 (stdin, its close signal, output as written, the exit Status), a runtime that
// cannot attach (400 before any upgrade), port-forward over the Python client's channel protocol
// and over SPDY (frames written with ./spdy.ts), as kubectl's tunnel carries them; exec over SPDY.

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import https from 'node:https'
import net from 'node:net'
import { PassThrough, type Duplex } from 'node:stream'
import { WebSocket } from 'ws'
import type { Pod } from '../../api/types.js'
import { createCertificateAuthority, Identities, type KeyPair } from '../../pki/pki.js'
import { NotSupportedError, type ContainerRuntime, type StreamSession } from '../../runtime/runtime.js'
import { KubeletServer } from '../server.js'
import { mountStreamingHandlers } from './handlers.js'
import { decodeHeaders, encode, encodeHeaders, FLAG_FIN, FrameReader, HeaderCodec, type Frame } from './spdy.js'

const pod = { metadata: { name: 'web', namespace: 'shop', uid: 'u1' }, spec: { containers: [{ name: 'app' }] } } as unknown as Pod
const status = { podIP: '127.0.0.1', containerStatuses: [{ name: 'app', containerID: 'fake://c1', state: { running: {} } }] }

/** exec: upper-cases stdin to stdout, says "bye" on stderr at the end, exits with 3. */
const runtime = {
  async execStream(): Promise<StreamSession> {
    const stdin = new PassThrough()
    const stdout = new PassThrough()
    const stderr = new PassThrough()
    stdin.on('data', (d: Buffer) => stdout.write(d.toString().toUpperCase()))
    let exit!: (code: number) => void
    const exitCode = new Promise<number>((r) => (exit = r))
    stdin.on('end', () => {
      stderr.end('bye')
      stdout.end()
      exit(3)
    })
    return { stdin, stdout, stderr, exitCode, resize: async () => undefined, close: () => undefined }
  },
  async attach(): Promise<StreamSession> {
    throw new NotSupportedError('attach is not supported by the simulated runtime')
  },
  portForward: (host: string, port: number) =>
    new Promise((resolve, reject) => {
      const s = net.connect({ host, port }, () => resolve(s))
      s.once('error', reject)
    }),
} as unknown as ContainerRuntime

describe('the kubelet streaming endpoints', () => {
  let server: KubeletServer
  let client: KeyPair
  let caPem: string
  let echo: net.Server
  let echoPort: number

  before(async () => {
    const ca = await createCertificateAuthority()
    caPem = ca.certPem
    client = await ca.issue({ ...Identities.apiserverKubeletClient, usage: 'client' })
    server = new KubeletServer({ host: '127.0.0.1', caPem, serving: await ca.issue({ commonName: 'n1', ipAddresses: ['127.0.0.1'], usage: 'server' }) })
    mountStreamingHandlers(server, { pod: () => pod, status: () => status as never }, runtime)
    await server.start()
    echo = net.createServer((s) => s.pipe(s))
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r))
    echoPort = (echo.address() as net.AddressInfo).port
  })
  after(async () => {
    await server.stop()
    echo.close()
  })

  const ws = (path: string, protocols: string[]): WebSocket =>
    new WebSocket(`wss://127.0.0.1:${server.port}${path}`, protocols, { ca: caPem, cert: client.certPem, key: client.keyPem })

  it("streams an exec over v5: stdin in, output as written, stdin's close signal, the exit Status last", async () => {
    const c = ws('/exec/shop/web/app?command=sh&stdin=1&stdout=1&stderr=1', ['v5.channel.k8s.io', 'v4.channel.k8s.io'])
    const frames: string[] = []
    await new Promise<void>((resolve, reject) => {
      c.on('open', () => {
        assert.equal(c.protocol, 'v5.channel.k8s.io')
        c.send(Buffer.concat([Buffer.from([0]), Buffer.from('hi')]))
      })
      c.on('message', (d: Buffer) => {
        frames.push(`${d[0]}:${d.subarray(1).toString()}`)
        if (frames.length === 1) {
          c.send(Buffer.from([255, 0]))
          // written after the close signal: dropped, not an error
          c.send(Buffer.concat([Buffer.from([0]), Buffer.from('late')]))
        }
      })
      c.on('close', () => resolve())
      c.on('error', reject)
    })
    assert.deepEqual(frames, [
      '1:HI',
      '2:bye',
      '3:{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
    ])
  })

  it("refuses what the runtime cannot do with a 400 before upgrading, in the runtime's words", async () => {
    const c = ws('/attach/shop/web/app?stdout=1', ['v5.channel.k8s.io'])
    const answer = await new Promise<{ code: number; body: string }>((resolve) =>
      c.on('unexpected-response', (_req, res) => {
        let body = ''
        res.on('data', (d: Buffer) => (body += d.toString()))
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }))
      }),
    )
    assert.deepEqual(answer, { code: 400, body: 'attach is not supported by the simulated runtime' })
  })

  it("forwards a port over the Python client's channel protocol: the port first on both channels, then the bytes", async () => {
    const c = ws(`/portForward/shop/web?ports=${echoPort}`, ['v4.channel.k8s.io'])
    const frames: Buffer[] = []
    await new Promise<void>((resolve, reject) => {
      c.on('message', (d: Buffer) => {
        frames.push(d)
        if (frames.length === 2) c.send(Buffer.concat([Buffer.from([0]), Buffer.from('ping')]))
        if (frames.length === 3) c.close()
      })
      c.on('close', () => resolve())
      c.on('error', reject)
    })
    const port = Buffer.alloc(2)
    port.writeUInt16LE(echoPort)
    assert.deepEqual(frames, [Buffer.concat([Buffer.from([0]), port]), Buffer.concat([Buffer.from([1]), port]), Buffer.from('\x00ping')])
  })

  it('forwards a port over SPDY: an error and a data stream per connection, replied to, PINGs echoed', async () => {
    // kubectl's tunnel carries these same frames in WebSocket messages (checked by hand: ws, the
    // client here, refuses its subprotocol name as the kubelet's server side would)
    const socket = await new Promise<Duplex>((resolve, reject) => {
      const req = https.request({
        host: '127.0.0.1',
        port: server.port,
        path: '/portForward/shop/web',
        method: 'POST',
        headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io' },
        ca: caPem,
        cert: client.certPem,
        key: client.keyPem,
      })
      req.on('upgrade', (res, sock) => {
        assert.equal(res.headers['x-stream-protocol-version'], 'portforward.k8s.io')
        resolve(sock)
      })
      req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)))
      req.on('error', reject)
      req.end()
    })
    const out = new HeaderCodec('compress')
    const back = new HeaderCodec('decompress')
    const reader = new FrameReader()
    const seen: string[] = []
    const syn = async (id: number, type: string): Promise<Buffer> => {
      const headerBlock = await out.run(
        encodeHeaders([
          ['streamType', type],
          ['port', String(echoPort)],
          ['requestID', '0'],
        ]),
      )
      return encode({ type: 'syn_stream', streamId: id, associatedTo: 0, priority: 0, flags: 0, headerBlock })
    }
    socket.write(await syn(1, 'error'))
    socket.write(await syn(3, 'data'))
    socket.write(encode({ type: 'data', streamId: 3, flags: 0, data: Buffer.from('over spdy') }))
    socket.write(encode({ type: 'ping', id: 1 }))
    await new Promise<void>((resolve) => {
      socket.on('data', async (d: Buffer) => {
        for (const f of reader.push(d) as Frame[]) {
          if (f.type === 'syn_reply') seen.push(`reply ${f.streamId} ${decodeHeaders(await back.run(f.headerBlock)).size}`)
          else if (f.type === 'data' && f.data.length) seen.push(`data ${f.streamId} ${f.data.toString()}`)
          else if (f.type === 'ping') seen.push(`ping ${f.id}`)
        }
        if (seen.length === 4) resolve()
      })
    })
    socket.destroy()
    assert.deepEqual(seen.sort(), ['data 3 over spdy', 'ping 1', 'reply 1 0', 'reply 3 0'])
    out.close()
    back.close()
  })

  it('runs an exec over SPDY as kubectl did before WebSocket: a stream per channel, stdin FIN, the v4 Status on the error stream', async () => {
    const socket = await new Promise<Duplex>((resolve, reject) => {
      const req = https.request({
        host: '127.0.0.1',
        port: server.port,
        path: '/exec/shop/web/app?command=sh&stdin=1&stdout=1&stderr=1',
        method: 'POST',
        headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': ['v4.channel.k8s.io', 'channel.k8s.io'] },
        ca: caPem,
        cert: client.certPem,
        key: client.keyPem,
      })
      req.on('upgrade', (res, sock) => {
        assert.equal(res.headers['x-stream-protocol-version'], 'v4.channel.k8s.io')
        resolve(sock)
      })
      req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)))
      req.on('error', reject)
      req.end()
    })
    const out = new HeaderCodec('compress')
    const reader = new FrameReader()
    const types = ['error', 'stdin', 'stdout', 'stderr']
    for (const [i, type] of types.entries()) {
      const headerBlock = await out.run(encodeHeaders([['streamType', type]]))
      socket.write(encode({ type: 'syn_stream', streamId: 2 * i + 1, associatedTo: 0, priority: 0, flags: 0, headerBlock }))
    }
    // stdin (stream 3): data, then FIN
    socket.write(encode({ type: 'data', streamId: 3, flags: 0, data: Buffer.from('hi') }))
    socket.write(encode({ type: 'data', streamId: 3, flags: FLAG_FIN, data: Buffer.alloc(0) }))
    const got: Record<string, string> = {}
    await new Promise<void>((resolve) => {
      socket.on('data', (d: Buffer) => {
        for (const f of reader.push(d) as Frame[]) {
          if (f.type !== 'data') continue
          const type = types[(f.streamId - 1) / 2]!
          got[type] = (got[type] ?? '') + f.data.toString()
          if (type === 'error' && f.flags & FLAG_FIN) resolve()
        }
      })
    })
    socket.destroy()
    out.close()
    assert.deepEqual(got, {
      stdout: 'HI',
      stderr: 'bye',
      error:
        '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
    })
  })

  it('answers a request that does not upgrade, or names no command, as the kubelet does', async () => {
    const table: [string, Record<string, string>, number, string][] = [
      ['/exec/shop/web/app?command=sh&stdout=1', { Connection: 'Upgrade', Upgrade: 'h2c' }, 400, 'Upgrade request required'],
      ['/exec/shop/web/app?stdout=1', { Connection: 'Upgrade', Upgrade: 'websocket' }, 400, 'you must specify at least 1 command'],
      ['/exec/shop/web/app?command=sh', { Connection: 'Upgrade', Upgrade: 'websocket' }, 400, 'you must specify at least 1 of stdin, stdout, stderr'],
      [
        '/portForward/shop/nope/x',
        { Connection: 'Upgrade', Upgrade: 'websocket' },
        400,
        'expected /portForward/<namespace>/<pod>, not /portForward/shop/nope/x',
      ],
    ]
    for (const [path, headers, code, body] of table) {
      const got = await new Promise<{ code: number; body: string }>((resolve, reject) => {
        const req = https.request({ host: '127.0.0.1', port: server.port, path, headers, ca: caPem, cert: client.certPem, key: client.keyPem }, (res) => {
          let b = ''
          res.on('data', (d: Buffer) => (b += d.toString()))
          res.on('end', () => resolve({ code: res.statusCode ?? 0, body: b }))
        })
        req.on('error', reject)
        req.end()
      })
      assert.deepEqual(got, { code, body }, path)
    }
  })
})
