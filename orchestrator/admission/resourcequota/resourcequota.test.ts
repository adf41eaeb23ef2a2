import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { attrs, reader, refusal } from '../testing.js'
import { missingComputeResources, ResourceQuotaAdmission } from './resourcequota.js'

const quota = { metadata: { name: 'compute' }, spec: { hard: { 'limits.cpu': '1', pods: '2', 'count/configmaps': '1' } } }
const pod = (name: string, cpu?: string) => ({
  metadata: { name },
  spec: { containers: [{ name: 'app', image: 'i', resources: cpu ? { limits: { cpu } } : {} }] },
  status: { phase: 'Running' },
})

describe('ResourceQuota admission', () => {
  it('refuses a pod over the quota with requested, used and limited', async () => {
    const plugin = new ResourceQuotaAdmission()
    const r = reader({ '/resourcequotas/team-a': [quota], '/pods/team-a': [pod('a', '700m')] })
    const got = await refusal(plugin.validate(attrs('pods', 'CREATE', pod('b', '500m')), r))
    assert.equal(got?.code, 403)
    assert.equal(got?.message, 'pods "b" is forbidden: exceeded quota: compute, requested: limits.cpu=500m, used: limits.cpu=700m, limited: limits.cpu=1')
  })

  it('counts admitted requests that are not stored yet, so concurrent creates cannot both pass', async () => {
    const plugin = new ResourceQuotaAdmission()
    const r = reader({ '/resourcequotas/team-a': [quota], '/pods/team-a': [] })
    const results = await Promise.all([
      refusal(plugin.validate(attrs('pods', 'CREATE', pod('x', '600m')), r)),
      refusal(plugin.validate(attrs('pods', 'CREATE', pod('y', '600m')), r)),
    ])
    assert.equal(results.filter((x) => x === undefined).length, 1, JSON.stringify(results))
  })

  it('requires explicit limits when the quota limits cpu', async () => {
    assert.equal(missingComputeResources(pod('p'), ['limits.cpu', 'requests.memory']), 'must specify limits.cpu for: app; requests.memory for: app')
    const got = await refusal(new ResourceQuotaAdmission().validate(attrs('pods', 'CREATE', pod('p')), reader({ '/resourcequotas/team-a': [quota] })))
    assert.equal(got?.message, 'pods "p" is forbidden: failed quota: compute: must specify limits.cpu for: app')
  })

  it('counts objects with count/<resource>', async () => {
    const r = reader({ '/resourcequotas/team-a': [quota], '/configmaps/team-a': [{ metadata: { name: 'one' } }] })
    const got = await refusal(new ResourceQuotaAdmission().validate(attrs('configmaps', 'CREATE', { metadata: { name: 'two' } }), r))
    assert.equal(
      got?.message,
      'configmaps "two" is forbidden: exceeded quota: compute, requested: count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1',
    )
  })

  it("takes the quotas from the reader's quota cache, not from a live list of quotas", async () => {
    const base = reader({ '/pods/team-a': [pod('a', '700m')] })
    const r = {
      ...base,
      async list(group: string, resource: string, namespace: string) {
        if (resource === 'resourcequotas') throw new Error('live quota list')
        return base.list(group, resource, namespace)
      },
      async resourceQuotas() {
        return [quota]
      },
    }
    const got = await refusal(new ResourceQuotaAdmission().validate(attrs('pods', 'CREATE', pod('b', '500m')), r))
    assert.equal(got?.message, 'pods "b" is forbidden: exceeded quota: compute, requested: limits.cpu=500m, used: limits.cpu=700m, limited: limits.cpu=1')
  })
})
