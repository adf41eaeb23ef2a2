import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { attrs, reader, refusal } from '../testing.js'
import { ServiceAccountAdmission } from './serviceaccount.js'

describe('ServiceAccount admission', () => {
  const plugin = new ServiceAccountAdmission({ defaultAttempts: 2, retryIntervalMs: 1 })
  const r = reader({ '/serviceaccounts/team-a': [{ metadata: { name: 'default' } }, { metadata: { name: 'builder' } }] })

  it('runs a pod without a service account as default', async () => {
    const pod = { metadata: { name: 'p' }, spec: {} as { serviceAccountName?: string } }
    await plugin.admit(attrs('pods', 'CREATE', pod), r)
    assert.equal(pod.spec.serviceAccountName, 'default')
  })

  it('keeps a named service account that exists', async () => {
    const pod = { metadata: { name: 'p' }, spec: { serviceAccountName: 'builder' } }
    await plugin.admit(attrs('pods', 'CREATE', pod), r)
    assert.equal(pod.spec.serviceAccountName, 'builder')
  })

  it('refuses a pod whose service account does not exist, as upstream words it', async () => {
    const got = await refusal(plugin.admit(attrs('pods', 'CREATE', { metadata: { name: 'p' }, spec: { serviceAccountName: 'ghost' } }), r))
    assert.equal(got?.message, 'pods "p" is forbidden: error looking up service account team-a/ghost: serviceaccount "ghost" not found')
  })
})
