// Kubeconfig files as kubectl and @kubernetes/client-node read them (clusters, users, contexts
// with embedded base64 PEM data), as kubeadm writes admin.conf.

import { stringify } from 'yaml'

export interface KubeconfigInput {
  clusterName: string
  server: string
  caPem: string
  userName: string
  certPem?: string
  keyPem?: string
  token?: string
  namespace?: string
}

const b64 = (s: string): string => Buffer.from(s).toString('base64')

export function kubeconfigYaml(k: KubeconfigInput): string {
  const context = `${k.userName}@${k.clusterName}`
  const user: Record<string, string> = {}
  if (k.certPem) user['client-certificate-data'] = b64(k.certPem)
  if (k.keyPem) user['client-key-data'] = b64(k.keyPem)
  if (k.token) user.token = k.token
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: k.clusterName, cluster: { server: k.server, 'certificate-authority-data': b64(k.caPem) } }],
    users: [{ name: k.userName, user }],
    contexts: [{ name: context, context: { cluster: k.clusterName, user: k.userName, ...(k.namespace ? { namespace: k.namespace } : {}) } }],
    'current-context': context,
    preferences: {},
  })
}
