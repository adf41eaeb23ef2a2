// The cluster PKI: a CA made when the cluster starts, a serving certificate for the API server
// and client certificates per identity (CN = user name, O = groups), as kubeadm lays them out
// (ca.crt, apiserver.crt with SANs, admin.conf with O=system:masters, system:node:<name>).
// Uses @peculiar/x509 over Node's WebCrypto with ECDSA P-256 keys (fast to generate).
// Simplifies: no intermediate CAs, no rotation, no CSR API.

import 'reflect-metadata'
import { webcrypto, X509Certificate as NodeX509 } from 'node:crypto'

type CryptoKey = webcrypto.CryptoKey
import * as x509 from '@peculiar/x509'

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])

const KEY_ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGN_ALG = { name: 'ECDSA', hash: 'SHA-256' } as const

/** A certificate with its private key, both PEM. */
export interface KeyPair {
  certPem: string
  keyPem: string
}

export interface CertificateAuthority extends KeyPair {
  /** Issues a certificate signed by this CA. */
  issue(req: IssueRequest): Promise<KeyPair>
}

export interface IssueRequest {
  commonName: string
  organizations?: readonly string[]
  /** Server certificates: DNS names and IP addresses for the subjectAltName extension. */
  dnsNames?: string[]
  ipAddresses?: string[]
  usage: 'server' | 'client' | 'server+client'
  validDays?: number
}

/** The identities a cluster's components use, as upstream names them. */
export const Identities = {
  admin: { commonName: 'kubernetes-admin', organizations: ['system:masters'] },
  scheduler: { commonName: 'system:kube-scheduler', organizations: [] as string[] },
  controllerManager: { commonName: 'system:kube-controller-manager', organizations: [] as string[] },
  kubelet: (node: string) => ({ commonName: `system:node:${node}`, organizations: ['system:nodes'] }),
  kubeProxy: { commonName: 'system:kube-proxy', organizations: [] as string[] },
  /** The ingress controller runs as a workload would, under its service account's name. */
  ingressController: {
    commonName: 'system:serviceaccount:kube-system:ingress-controller',
    organizations: ['system:serviceaccounts', 'system:serviceaccounts:kube-system'],
  },
  apiserverKubeletClient: { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'] },
  /** The API server's aggregation layer, towards aggregated API servers (kubeadm's front-proxy-client). */
  frontProxyClient: { commonName: 'front-proxy-client', organizations: [] as string[] },
  /** metrics-server runs as its service account, as the upstream addon does. */
  metricsServer: {
    commonName: 'system:serviceaccount:kube-system:metrics-server',
    organizations: ['system:serviceaccounts', 'system:serviceaccounts:kube-system'],
  },
} as const

function escapeDn(v: string): string {
  return v.replace(/([,+"\\<>;=])/g, '\\$1')
}

function subjectName(commonName: string, organizations: readonly string[] = []): string {
  return [`CN=${escapeDn(commonName)}`, ...organizations.map((o) => `O=${escapeDn(o)}`)].join(', ')
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key)
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
  return `-----BEGIN PRIVATE KEY-----\n${b64.trim()}\n-----END PRIVATE KEY-----\n`
}

function serial(): string {
  // Positive 16-byte serial number (RFC 5280 allows up to 20 octets).
  const bytes = webcrypto.getRandomValues(new Uint8Array(16))
  bytes[0] = bytes[0]! & 0x7f
  return Buffer.from(bytes).toString('hex')
}

/**
 * The same CA, issuing each distinct request once and handing the same certificate out again
 * (same names, groups, SANs, usage and validity): for a process that starts many short-lived
 * clusters under one CA, as the test harness does for every scenario (a cluster's CA and its
 * fifteen certificates were 60-200 ms of CPU per boot). Certificates are not secrets from the
 * clusters that share the CA; a cluster that must not accept another's credentials needs a CA of
 * its own.
 */
export function reusingIssuance(ca: CertificateAuthority): CertificateAuthority {
  const issued = new Map<string, Promise<KeyPair>>()
  return {
    certPem: ca.certPem,
    keyPem: ca.keyPem,
    issue(req: IssueRequest): Promise<KeyPair> {
      const key = JSON.stringify([req.commonName, req.organizations ?? [], req.dnsNames ?? [], req.ipAddresses ?? [], req.usage, req.validDays ?? null])
      let pair = issued.get(key)
      if (!pair) {
        pair = ca.issue(req)
        issued.set(key, pair)
        pair.catch(() => issued.delete(key))
      }
      return pair
    },
  }
}

/** Loads an existing CA (certificate and PKCS#8 private key, PEM), as kubeadm reuses ca.crt / ca.key. */
export async function loadCertificateAuthority(certPem: string, keyPem: string): Promise<CertificateAuthority> {
  const cert = new x509.X509Certificate(certPem)
  const der = Buffer.from(keyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')
  const key = await webcrypto.subtle.importKey('pkcs8', der, KEY_ALG, true, ['sign'])
  return { certPem, keyPem, issue: (req) => issueWith(cert, key, req) }
}

/** Makes a new self-signed cluster CA ("kubernetes", as kubeadm names it). */
export async function createCertificateAuthority(commonName = 'kubernetes', validDays = 3650): Promise<CertificateAuthority> {
  const keys = await webcrypto.subtle.generateKey(KEY_ALG, true, ['sign', 'verify'])
  const notBefore = new Date(Date.now() - 60_000)
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: subjectName(commonName),
    notBefore,
    notAfter: new Date(notBefore.getTime() + validDays * 86_400_000),
    signingAlgorithm: SIGN_ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  const keyPem = await exportKeyPem(keys.privateKey)
  return {
    certPem: cert.toString('pem') + '\n',
    keyPem,
    issue: (req) => issueWith(cert, keys.privateKey, req),
  }
}

async function issueWith(caCert: x509.X509Certificate, caKey: CryptoKey, req: IssueRequest): Promise<KeyPair> {
  const keys = await webcrypto.subtle.generateKey(KEY_ALG, true, ['sign', 'verify'])
  const notBefore = new Date(Date.now() - 60_000)
  const ekus: string[] = []
  if (req.usage.includes('server')) ekus.push(x509.ExtendedKeyUsage.serverAuth)
  if (req.usage.includes('client')) ekus.push(x509.ExtendedKeyUsage.clientAuth)
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(ekus, false),
    await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
  ]
  const sans = [
    ...(req.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(req.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ]
  if (sans.length) extensions.push(new x509.SubjectAlternativeNameExtension(sans, false))
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: subjectName(req.commonName, req.organizations),
    issuer: caCert.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + (req.validDays ?? 365) * 86_400_000),
    signingAlgorithm: SIGN_ALG,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions,
  })
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportKeyPem(keys.privateKey) }
}

/** The identity a client certificate asserts: CN is the user, each O a group (upstream x509 authenticator). */
export function identityOf(certPem: string | Buffer): { user: string; groups: string[] } {
  const cert = new x509.X509Certificate(certPem.toString())
  const name = cert.subjectName
  return {
    user: name.getField('CN')[0] ?? '',
    groups: name.getField('O'),
  }
}

/** True when `certPem` was signed by `caPem` and is within its validity period. */
export function verifiedBy(certPem: string, caPem: string, at = new Date()): boolean {
  const cert = new NodeX509(certPem)
  const ca = new NodeX509(caPem)
  return cert.checkIssued(ca) && cert.verify(ca.publicKey) && new Date(cert.validFrom) <= at && at <= new Date(cert.validTo)
}
