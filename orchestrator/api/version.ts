// The Kubernetes version the reference cluster speaks and reports (API server /version,
// kubelet nodeInfo.kubeletVersion), kept in one place so the components agree.

export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-ock.0' } as const
